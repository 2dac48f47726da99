package exec

import (
	"fmt"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/weir-stream/weir/planner/mql"
)

// stages runs stages over rows. at is the path prefix for errors and the
// index of the first stage, so messages name the stage as the user wrote it.
func (x *run) stages(stages mql.Pipeline, rows []row, prefix mql.Path, first int) ([]row, error) {
	for i, s := range stages {
		p := prefix.Index(first + i).Key(s.Op())
		var err error
		rows, err = x.stage(s, rows, p)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
	}
	return rows, nil
}

func (x *run) stage(s mql.Stage, rows []row, p mql.Path) ([]row, error) {
	switch s := s.(type) {
	case *mql.Match:
		return x.filter(rows, s.Op(), func(rw *row) (bool, error) { return Match(s.Query, rw.doc, rw.env()) })
	case *mql.ValidateStage:
		var out []row
		for _, rw := range rows {
			ok, err := Match(s.Validator, rw.doc, rw.env())
			if err != nil {
				return nil, err
			}
			if ok {
				out = append(out, rw)
			} else if s.ValidationAction == "dlq" {
				x.dlq(s.Op(), rw.doc, rw.meta, "Input document found to be invalid in $validate stage")
			}
		}
		return out, nil
	case *mql.Project:
		out, err := x.mapRows(rows, s.Op(), func(rw *row) (bson.D, error) { return project(s, rw.doc, rw.env()) })
		if name := x.metaField(); name != "" {
			for _, f := range s.Fields {
				if f.Kind == mql.Exclude && f.Path == name {
					refDropMeta(out)
				}
			}
		}
		return out, err
	case *mql.AddFields:
		return x.mapRows(rows, s.Op(), func(rw *row) (bson.D, error) {
			doc := cloneDoc(rw.doc)
			for _, f := range s.Fields {
				v, err := Eval(f.Value, rw.doc, rw.env())
				if err != nil {
					return nil, err
				}
				if IsMissing(v) {
					doc = unsetPath(doc, f.Name)
				} else {
					doc = setPath(doc, f.Name, v)
				}
			}
			return doc, nil
		})
	case *mql.Unset:
		out, err := x.mapRows(rows, s.Op(), func(rw *row) (bson.D, error) {
			doc := cloneDoc(rw.doc)
			for _, f := range s.Fields {
				doc = unsetPath(doc, f)
			}
			return doc, nil
		})
		if name := x.metaField(); name != "" {
			for _, f := range s.Fields {
				if f == name {
					refDropMeta(out)
				}
			}
		}
		return out, err
	case *mql.SetStreamMeta:
		out := make([]row, 0, len(rows))
		for _, rw := range rows {
			meta, err := refSetMeta(s, rw)
			if err != nil {
				x.dlq(s.Op(), rw.doc, rw.meta, err.Error())
				continue
			}
			rw.meta = meta
			out = append(out, rw)
		}
		return out, nil
	case *mql.ReplaceRoot:
		return x.mapRows(rows, s.Op(), func(rw *row) (bson.D, error) {
			v, err := Eval(s.NewRoot, rw.doc, rw.env())
			if err != nil {
				return nil, err
			}
			d, ok := v.(bson.D)
			if !ok {
				return nil, fmt.Errorf("'newRoot' expression must evaluate to an object, but resulting value was: %s", TypeName(v))
			}
			return d, nil
		})
	case *mql.Unwind:
		return unwind(s, rows), nil
	case *mql.Lookup:
		return x.lookup(s, rows)
	case *mql.CachedLookup:
		// Over bounded inputs the cache changes nothing: an equality
		// $lookup gives the same answer.
		from := s.From
		return x.lookup(&mql.Lookup{From: &from, LocalField: s.LocalField, ForeignField: s.ForeignField, As: s.As}, rows)
	case *mql.Limit:
		if int64(len(rows)) > s.N {
			rows = rows[:s.N]
		}
		return rows, nil
	case *mql.Sort:
		return sortRows(s.Keys, rows), nil
	case *mql.Group:
		return x.group(s, rows)
	case *mql.Count:
		if len(rows) == 0 {
			return nil, nil
		}
		return []row{{doc: bson.D{{Key: s.Field, Value: int32(len(rows))}}, ts: rows[len(rows)-1].ts, meta: rows[len(rows)-1].meta}}, nil
	case *mql.SetWindowFields:
		return x.setWindowFields(s, rows)
	case *mql.TumblingWindow:
		return x.timeWindows(s.Pipeline, rows, durationOf(s.Interval), durationOf(s.Interval), p)
	case *mql.HoppingWindow:
		return x.timeWindows(s.Pipeline, rows, durationOf(s.Interval), durationOf(s.HopSize), p)
	case *mql.SessionWindow:
		return x.sessionWindows(s, rows, p)
	case *mql.Merge:
		return nil, x.merge(s, rows)
	case *mql.Emit:
		return nil, x.emit(s, rows)
	}
	return nil, fmt.Errorf("the reference runner does not run %s yet", s.Op())
}

// refDropMeta marks rows whose pipeline removed the stream metadata field.
func refDropMeta(rows []row) {
	for i := range rows {
		rows[i].noMeta = true
	}
}

// refSetMeta is $setStreamMeta over one row: each "stream.a.b" key sets
// a.b in a copy of the row's metadata, every value computed from the row
// as it arrived.
func refSetMeta(s *mql.SetStreamMeta, rw row) (bson.D, error) {
	meta := cloneDoc(rw.meta)
	for _, f := range s.Fields {
		v, err := Eval(f.Value, rw.doc, rw.env())
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.Name, err)
		}
		path := strings.TrimPrefix(f.Name, "stream.")
		if IsMissing(v) {
			meta = unsetPath(meta, path)
		} else {
			meta = setPath(meta, path, v)
		}
	}
	return meta, nil
}

// filter keeps the rows pred accepts; a row pred fails on goes to the DLQ.
func (x *run) filter(rows []row, op string, pred func(*row) (bool, error)) ([]row, error) {
	out := rows[:0:0]
	for i := range rows {
		ok, err := pred(&rows[i])
		if err != nil {
			x.dlq(op, rows[i].doc, rows[i].meta, err.Error())
			continue
		}
		if ok {
			out = append(out, rows[i])
		}
	}
	return out, nil
}

// mapRows replaces each row's document; a row fn fails on goes to the DLQ.
func (x *run) mapRows(rows []row, op string, fn func(*row) (bson.D, error)) ([]row, error) {
	out := make([]row, 0, len(rows))
	for i := range rows {
		doc, err := fn(&rows[i])
		if err != nil {
			x.dlq(op, rows[i].doc, rows[i].meta, err.Error())
			continue
		}
		rw := rows[i]
		rw.doc = doc
		out = append(out, rw)
	}
	return out, nil
}

// project applies a $project to doc. Included fields keep the order they
// have in the document; computed fields follow in the order written, as
// MongoDB does.
func project(s *mql.Project, doc bson.D, env *Env) (bson.D, error) {
	if s.Exclusion() {
		out := cloneDoc(doc)
		for _, f := range s.Fields {
			out = unsetPath(out, f.Path)
		}
		return out, nil
	}
	var includes []string
	idSpecified := false
	for _, f := range s.Fields {
		if f.Path == "_id" || strings.HasPrefix(f.Path, "_id.") {
			idSpecified = true
		}
		if f.Kind == mql.Include {
			includes = append(includes, f.Path)
		}
	}
	if !idSpecified {
		// _id is kept unless the projection says otherwise.
		includes = append(includes, "_id")
	}
	out := includePaths(doc, includes)
	for _, f := range s.Fields {
		if f.Kind != mql.Compute {
			continue
		}
		v, err := Eval(f.Expr, doc, env)
		if err != nil {
			return nil, err
		}
		if !IsMissing(v) {
			out = setPath(out, f.Path, v)
		}
	}
	return out, nil
}

// includePaths keeps the fields of doc named by paths, in document order,
// with _id first. A dotted path keeps part of an embedded document, or of
// each document in an array.
func includePaths(doc bson.D, paths []string) bson.D {
	out := bson.D{}
	emit := func(e bson.E) {
		whole := false
		var rest []string
		for _, p := range paths {
			head, tail, nested := strings.Cut(p, ".")
			if head != e.Key {
				continue
			}
			if !nested {
				whole = true
			} else {
				rest = append(rest, tail)
			}
		}
		switch {
		case whole:
			out = append(out, e)
		case rest != nil:
			if v, ok := includeValue(e.Value, rest); ok {
				out = append(out, bson.E{Key: e.Key, Value: v})
			}
		}
	}
	for _, e := range doc {
		if e.Key == "_id" {
			emit(e)
		}
	}
	for _, e := range doc {
		if e.Key != "_id" {
			emit(e)
		}
	}
	return out
}

func includeValue(v any, paths []string) (any, bool) {
	switch t := v.(type) {
	case bson.D:
		return includePaths(t, paths), true
	case bson.A:
		out := bson.A{}
		for _, el := range t {
			if sub, ok := includeValue(el, paths); ok {
				out = append(out, sub)
			}
		}
		return out, true
	}
	return nil, false
}

// unwind is $unwind: one row per array element.
func unwind(s *mql.Unwind, rows []row) []row {
	preserve := s.PreserveNullAndEmptyArrays != nil && *s.PreserveNullAndEmptyArrays
	var out []row
	for _, rw := range rows {
		v := getPath(rw.doc, s.Path)
		arr, isArr := v.(bson.A)
		switch {
		case isArr && len(arr) > 0:
			for i, el := range arr {
				n := rw
				n.doc = setPath(cloneDoc(rw.doc), s.Path, el)
				if s.IncludeArrayIndex != "" {
					n.doc = setPath(n.doc, s.IncludeArrayIndex, int64(i))
				}
				out = append(out, n)
			}
		case isArr || IsNullish(v):
			if preserve {
				n := rw
				if isArr {
					n.doc = unsetPath(cloneDoc(rw.doc), s.Path)
				}
				if s.IncludeArrayIndex != "" {
					n.doc = setPath(cloneDoc(n.doc), s.IncludeArrayIndex, nil)
				}
				out = append(out, n)
			}
		default:
			// A non-array value is treated as a one-element array.
			n := rw
			if s.IncludeArrayIndex != "" {
				n.doc = setPath(cloneDoc(rw.doc), s.IncludeArrayIndex, nil)
			}
			out = append(out, n)
		}
	}
	return out
}

// lookup is $lookup: each row gets the matching foreign documents in As.
func (x *run) lookup(s *mql.Lookup, rows []row) ([]row, error) {
	var foreign []bson.D
	if s.From != nil {
		f, err := x.conn(s.From.ConnectionName)
		if err != nil {
			return nil, err
		}
		lines, err := f.ReadCollection(s.From.DB, s.From.Coll)
		if err != nil {
			return nil, err
		}
		for _, l := range lines {
			if l.Err == nil {
				foreign = append(foreign, l.Doc)
			}
		}
	}
	out := make([]row, 0, len(rows))
	for _, rw := range rows {
		var matched []bson.D
		if s.LocalField != "" {
			local := getPath(rw.doc, s.LocalField)
			for _, fd := range foreign {
				if lookupMatches(local, getPath(fd, s.ForeignField)) {
					matched = append(matched, fd)
				}
			}
		} else {
			matched = foreign
		}
		if s.Pipeline != nil {
			var ok bool
			var err error
			matched, ok, err = x.lookupPipeline(s, rw, matched, func(reason string) { x.dlq(s.Op(), rw.doc, rw.meta, reason) })
			if err != nil {
				return nil, err
			}
			if !ok {
				continue
			}
		}
		arr := make(bson.A, len(matched))
		for i, d := range matched {
			arr[i] = d
		}
		n := rw
		n.doc = setPath(cloneDoc(rw.doc), s.As, arr)
		out = append(out, n)
	}
	return out, nil
}

// lookupPipeline runs s's pipeline for one row rw: its let variables,
// evaluated over rw, are in scope in every stage; its input is the
// collectionless form's $documents, else matched. ok is false when the
// row can't be looked up (a let or $documents that fails to evaluate):
// dead was told why, and the row is not emitted.
func (x *run) lookupPipeline(s *mql.Lookup, rw row, matched []bson.D, dead func(reason string)) (out []bson.D, ok bool, err error) {
	vars := map[string]any{}
	for _, l := range s.Let {
		v, err := Eval(l.Value, rw.doc, rw.env())
		if err != nil {
			dead(err.Error())
			return nil, false, nil
		}
		vars[l.Name] = v
	}
	pipeline := s.Pipeline
	if d, ok := pipeline[0].(*mql.Documents); ok && s.From == nil {
		docs, err := lookupDocuments(d, vars)
		if err != nil {
			dead(err.Error())
			return nil, false, nil
		}
		matched, pipeline = docs, pipeline[1:]
	}
	sub := make([]row, len(matched))
	for i, d := range matched {
		sub[i] = row{doc: d, ts: rw.ts, vars: vars}
	}
	res, err := x.subPipeline(pipeline, sub)
	if err != nil {
		return nil, false, err
	}
	out = make([]bson.D, 0, len(res))
	for _, r := range res {
		out = append(out, r.doc)
	}
	return out, true, nil
}

// subPipeline runs a $lookup's pipeline over rows that carry its let
// variables (row.vars).
func (x *run) subPipeline(p mql.Pipeline, rows []row) ([]row, error) {
	for _, s := range p {
		switch s := s.(type) {
		case *mql.Match:
			var out []row
			for _, rw := range rows {
				ok, err := Match(s.Query, rw.doc, rw.env())
				if err != nil {
					return nil, err
				}
				if ok {
					out = append(out, rw)
				}
			}
			rows = out
		default:
			var err error
			rows, err = x.stage(s, rows, "pipeline")
			if err != nil {
				return nil, err
			}
		}
	}
	return rows, nil
}

// lookupMatches is $lookup's equality: an array on either side matches when
// any element does, and null matches null or missing.
func lookupMatches(local, foreign any) bool {
	if IsMissing(local) {
		local = nil
	}
	if IsMissing(foreign) {
		foreign = nil
	}
	if la, ok := local.(bson.A); ok {
		for _, l := range la {
			if lookupMatches(l, foreign) {
				return true
			}
		}
		return false
	}
	if fa, ok := foreign.(bson.A); ok {
		for _, f := range fa {
			if lookupMatches(local, f) {
				return true
			}
		}
		return false
	}
	return Equal(local, foreign)
}

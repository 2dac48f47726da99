package mql

import (
	"fmt"
	"slices"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// Lint returns the warnings for a valid processor: weir extensions Atlas
// refuses, change-stream pipelines that read fields change events don't
// have, unknown $meta paths, windows without a $group, and other likely
// mistakes. Decode returns these after its own (aliases).
func Lint(p *Processor) []Warning {
	l := &linter{}
	pl := p.Pipeline
	for _, s := range pl {
		if m, ok := s.(*SetStreamMeta); ok {
			for _, f := range m.Fields {
				l.userMeta = append(l.userMeta, f.Name)
			}
		}
	}
	src, _ := pl[0].(*Source)
	l.extensions(pl)
	if src != nil {
		l.source(src)
		if src.Kind == ChangeStreamSource && !src.FullDocumentOnly() {
			l.changeEvents(pl[1:], src)
		}
	}
	for i, s := range pl {
		sp := Path("pipeline").Index(i).Key(s.Op())
		l.stage(s, sp)
	}
	l.sameCollection(pl)
	return l.warns
}

type linter struct {
	warns []Warning
	// userMeta are the metadata paths $setStreamMeta sets.
	userMeta []string
}

func (l *linter) warnf(p Path, format string, args ...any) {
	l.warns = append(l.warns, Warning{Path: p, Msg: fmt.Sprintf(format, args...)})
}

// extensionf is warnf for a warning about a weir extension.
func (l *linter) extensionf(p Path, format string, args ...any) {
	l.warns = append(l.warns, Warning{Path: p, Msg: fmt.Sprintf(format, args...), Extension: true})
}

func (l *linter) extensions(pl Pipeline) {
	aggregate := false
	for i, s := range pl {
		sp := Path("pipeline").Index(i).Key(s.Op())
		switch s.(type) {
		case *Group, *Sort, *Count:
			aggregate = true
			l.extensionf(sp, "%s outside a window is a weir extension (a continuous aggregate that emits updated results); Atlas accepts it only inside a window", s.Op())
		case *Limit:
			if aggregate {
				l.extensionf(sp, "$limit outside a window is a weir extension; it keeps the first %d results of the continuous aggregate before it", s.(*Limit).N)
			} else {
				l.extensionf(sp, "$limit outside a window is a weir extension; the processor stops after its first %d documents, as SQL's LIMIT ends a query on an endless stream", s.(*Limit).N)
			}
		case *SetWindowFields:
			l.extensionf(sp, "$setWindowFields is a weir extension; Atlas refuses it (use a window stage to deploy there)")
		}
	}
}

func (l *linter) source(s *Source) {
	p := Path("pipeline[0].$source")
	if s.Kind == ChangeStreamSource && s.ConnectionName == "" {
		l.warnf(p, "no connectionName; weir reads its default MongoDB connection, Atlas requires one")
	}
	if c := s.StreamConfig; c != nil && c.Fallback != "" {
		l.extensionf(p.Key("config").Key("fallback"), "fallback is a weir extension (what to do on a server without change streams); Atlas refuses it, so remove it to deploy there")
	}
	if s.TimeField != nil {
		op := ""
		switch e := s.TimeField.(type) {
		case Call:
			op = e.Op
		case *Call:
			op = e.Op
		case NamedCall:
			op = e.Op
		case *NamedCall:
			op = e.Op
		}
		if op != "$toDate" && op != "$dateFromString" {
			l.warnf(p.Key("timeField"), "Atlas accepts only {$toDate: …} or {$dateFromString: …} here; weir evaluates the expression and needs a date")
		}
	}
}

// stage lints one stage and recurses into its nested pipelines.
func (l *linter) stage(s Stage, sp Path) {
	l.values(s.Body(), sp)
	switch s := s.(type) {
	case Window:
		hasAgg := false
		for _, in := range s.Inner() {
			switch in.(type) {
			case *Group, *Count:
				hasAgg = true
			}
		}
		if !hasAgg {
			l.warnf(sp.Key("pipeline"), "the window has no $group or $count, so it emits each of its documents unchanged when it closes; add a $group")
		}
	case *Merge:
		if s.Into.ConnectionName == "" {
			l.warnf(sp.Key("into"), "no connectionName; weir writes to its default MongoDB connection, Atlas requires one")
		}
	case *Emit:
		if c := s.Config; c != nil && c.Key != nil && c.KeyFormat == "" {
			l.warnf(sp.Key("config").Key("key"), "key is set without keyFormat, so it is written as binData; set keyFormat (string, json, int or long), which Atlas requires with key")
		}
	}
}

// values walks a stage's encoded body for {$meta} paths. Walking the
// encoded form finds them in any stage or option.
func (l *linter) values(v any, p Path) {
	switch v := v.(type) {
	case bson.D:
		for _, e := range v {
			if e.Key == "$meta" {
				if s, ok := e.Value.(string); ok && !KnownMetaPath(s) && !slices.Contains(l.userMeta, s) {
					l.warnf(p, "%q is not a stream metadata path (stream, stream.source.…, stream.window.start, stream.window.end, stream.window.partition, stream.https.…)", s)
				}
				continue
			}
			l.values(e.Value, p.Key(e.Key))
		}
	case bson.A:
		for i, e := range v {
			l.values(e, p.Index(i))
		}
	}
}

// changeEventFields are the top-level fields of a change event, plus what
// ASP adds to every document.
var changeEventFields = []string{
	"_id", "operationType", "fullDocument", "fullDocumentBeforeChange", "documentKey", "ns", "to",
	"updateDescription", "clusterTime", "wallTime", "txnNumber", "lsid", "collectionUUID",
	"operationDescription", "splitEvent", "_ts", "_stream_meta",
}

// changeEvents warns when stages after a change-stream $source read fields
// that are not in change events (the user meant fullDocument.<field>). It
// follows what $project, $addFields and $lookup add or keep, and stops at
// a stage that replaces the document.
func (l *linter) changeEvents(pl Pipeline, src *Source) {
	visible := slices.Clone(changeEventFields)
	if src.TsFieldName != "" {
		visible = append(visible, src.TsFieldName)
	}
	warned := map[string]bool{}
	check := func(sp Path, paths []string) {
		for _, path := range paths {
			if path == "" || strings.HasPrefix(path, "$") {
				continue
			}
			top, _, _ := strings.Cut(path, ".")
			if slices.Contains(visible, top) || warned[top] {
				continue
			}
			warned[top] = true
			l.warnf(sp, "%s is not a field of change events; read fullDocument.%s, or set config.fullDocumentOnly: true on the $source (or add {$replaceRoot: {newRoot: \"$fullDocument\"}})", top, path)
		}
	}
	var walk func(pl Pipeline, base Path, offset int) bool
	walk = func(pl Pipeline, base Path, offset int) bool {
		for i, s := range pl {
			sp := base.Index(i + offset).Key(s.Op())
			check(sp, stageReads(s))
			switch s := s.(type) {
			case *ReplaceRoot, *Group, *Count:
				return false
			case Window:
				walk(s.Inner(), sp.Key("pipeline"), 0)
				return false
			case *Project:
				if s.Exclusion() {
					for _, f := range s.Fields {
						if !strings.Contains(f.Path, ".") {
							visible = slices.DeleteFunc(visible, func(v string) bool { return v == f.Path })
						}
					}
					continue
				}
				next := []string{"_id"}
				for _, f := range s.Fields {
					top, _, _ := strings.Cut(f.Path, ".")
					if f.Kind == Exclude {
						next = slices.DeleteFunc(next, func(v string) bool { return v == top })
					} else {
						next = append(next, top)
					}
				}
				visible = next
			case *AddFields:
				for _, f := range s.Fields {
					visible = append(visible, topOf(f.Name))
				}
			case *SetWindowFields:
				for _, o := range s.Output {
					visible = append(visible, topOf(o.Field))
				}
			case *Lookup:
				visible = append(visible, topOf(s.As))
			case *CachedLookup:
				visible = append(visible, topOf(s.As))
			case *Https:
				visible = append(visible, topOf(s.As))
			case *ExternalFunction:
				visible = append(visible, topOf(s.As))
			}
		}
		return true
	}
	walk(pl, "pipeline", 1)
}

func topOf(path string) string {
	top, _, _ := strings.Cut(path, ".")
	return top
}

// stageReads is the field paths a stage reads from its input documents
// (not from a joined collection).
func stageReads(s Stage) []string {
	var out []string
	exprs := func(es ...Expr) {
		for _, e := range es {
			if e != nil {
				out = append(out, ExprPaths(e)...)
			}
		}
	}
	fields := func(fs []Field) {
		for _, f := range fs {
			exprs(f.Value)
		}
	}
	switch s := s.(type) {
	case *Match:
		out = append(out, QueryPaths(s.Query)...)
	case *ValidateStage:
		out = append(out, QueryPaths(s.Validator)...)
	case *Project:
		for _, f := range s.Fields {
			switch f.Kind {
			case Include:
				out = append(out, f.Path)
			case Compute:
				exprs(f.Expr)
			}
		}
	case *AddFields:
		fields(s.Fields)
	case *SetStreamMeta:
		fields(s.Fields)
	case *ReplaceRoot:
		exprs(s.NewRoot)
	case *Redact:
		exprs(s.Expr)
	case *Unwind:
		out = append(out, s.Path)
	case *Lookup:
		if s.LocalField != "" {
			out = append(out, s.LocalField)
		}
		fields(s.Let)
		exprs(s.PartitionBy)
	case *CachedLookup:
		out = append(out, s.LocalField)
	case *Group:
		exprs(s.ID)
		fields(s.Fields)
	case *Sort:
		for _, k := range s.Keys {
			if k.Meta == "" {
				out = append(out, k.Path)
			}
		}
	case *SetWindowFields:
		exprs(s.PartitionBy)
		for _, k := range s.SortBy {
			out = append(out, k.Path)
		}
		for _, o := range s.Output {
			exprs(o.Func)
		}
	case *SessionWindow:
		exprs(s.PartitionBy)
	case *Https:
		exprs(s.Path.Expr)
		fields(s.Parameters)
		fields(s.Headers)
	case *Merge:
		exprs(s.Into.DB.Expr, s.Into.Coll.Expr, s.WhenMatched.Expr, s.WhenNotMatched.Expr)
		fields(s.Let)
	case *Emit:
		exprs(s.Topic.Expr, s.DB.Expr, s.Coll.Expr, s.Path.Expr)
		if c := s.Config; c != nil {
			exprs(c.Key, c.Headers, c.TombstoneWhen)
		}
	}
	return out
}

// sameCollection warns when $merge writes a collection a $lookup reads:
// the lookup may see documents the processor is still writing.
func (l *linter) sameCollection(pl Pipeline) {
	m, ok := pl[len(pl)-1].(*Merge)
	if !ok || m.Into.DB.Expr != nil || m.Into.Coll.Expr != nil {
		return
	}
	mp := Path("pipeline").Index(len(pl) - 1).Key("$merge")
	var look func(pl Pipeline, base Path)
	look = func(pl Pipeline, base Path) {
		for i, s := range pl {
			sp := base.Index(i).Key(s.Op())
			var from *Namespace
			switch s := s.(type) {
			case *Lookup:
				from = s.From
			case *CachedLookup:
				from = &s.From
			case Window:
				look(s.Inner(), sp.Key("pipeline"))
			}
			if from != nil && from.DB == m.Into.DB.Name && from.Coll == m.Into.Coll.Name &&
				(m.Into.ConnectionName == "" || from.ConnectionName == m.Into.ConnectionName) {
				l.warnf(mp, "writes %s.%s, which %s reads; the lookup can see this processor's own writes, or miss ones still in flight", from.DB, from.Coll, sp)
			}
		}
	}
	look(pl, "pipeline")
}

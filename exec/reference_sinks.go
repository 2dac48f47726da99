package exec

import (
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/weir-stream/weir/planner/mql"
)

// target evaluates a name that may be computed per document.
func target(n mql.NameExpr, rw *row) (string, error) {
	if n.Expr == nil {
		return n.Name, nil
	}
	v, err := Eval(n.Expr, rw.doc, rw.env())
	if err != nil {
		return "", err
	}
	s, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("target expression evaluated to %s, not a string", TypeName(v))
	}
	return s, nil
}

// emit is $emit: documents appended to a topic, in order.
func (x *run) emit(s *mql.Emit, rows []row) error {
	conn := s.ConnectionName
	if conn == "" {
		conn = "default"
	}
	if s.Topic.Expr == nil {
		if _, ok := x.res.Emitted[conn+"."+s.Topic.Name]; !ok {
			x.res.Emitted[conn+"."+s.Topic.Name] = nil
		}
	}
	for i := range rows {
		topic, err := target(s.Topic, &rows[i])
		if err != nil {
			x.dlq(s.Op(), rows[i].doc, rows[i].meta, err.Error())
			continue
		}
		key := conn + "." + topic
		x.res.Emitted[key] = append(x.res.Emitted[key], rows[i].doc)
	}
	return nil
}

// merge is $merge: each document upserted into its target collection by the
// `on` fields, following whenMatched and whenNotMatched.
func (x *run) merge(s *mql.Merge, rows []row) error {
	conn := s.Into.ConnectionName
	if conn == "" {
		conn = "default"
	}
	if s.Into.DB.Expr == nil && s.Into.Coll.Expr == nil {
		// A fixed target shows in the result even when nothing reached it.
		key := conn + "." + s.Into.DB.Name + "." + s.Into.Coll.Name
		if _, ok := x.res.Merged[key]; !ok {
			x.res.Merged[key] = nil
		}
	}
	on := s.On
	if len(on) == 0 {
		on = []string{"_id"}
	}
	for i := range rows {
		rw := &rows[i]
		db, err := target(s.Into.DB, rw)
		if err == nil {
			var coll string
			coll, err = target(s.Into.Coll, rw)
			if err == nil {
				err = x.upsert(conn+"."+db+"."+coll, s, on, rw)
			}
		}
		if err != nil {
			x.dlq(s.Op(), rw.doc, rw.meta, err.Error())
		}
	}
	return nil
}

func (x *run) upsert(key string, s *mql.Merge, on []string, rw *row) error {
	doc := rw.doc
	if IsMissing(getPath(doc, "_id")) {
		doc = append(bson.D{{Key: "_id", Value: bson.NewObjectID()}}, doc...)
	}
	coll := x.res.Merged[key]
	match := -1
	for j, existing := range coll {
		same := true
		for _, f := range on {
			a, b := getPath(doc, f), getPath(existing, f)
			if IsMissing(a) || IsMissing(b) || !Equal(a, b) {
				same = false
				break
			}
		}
		if same {
			match = j
			break
		}
	}
	if match < 0 {
		switch name := s.WhenNotMatched.Name; name {
		case "", "insert":
			x.res.Merged[key] = append(coll, doc)
		case "discard":
		case "fail":
			return fmt.Errorf("no document in %s matches on %v (whenNotMatched: fail)", key, on)
		default:
			return fmt.Errorf("whenNotMatched %q is not run by the reference runner", name)
		}
		return nil
	}
	switch name := s.WhenMatched.Name; name {
	case "", "merge":
		merged := cloneDoc(coll[match])
		for _, e := range doc {
			merged = setPath(merged, e.Key, e.Value)
		}
		coll[match] = merged
	case "replace":
		coll[match] = doc
	case "keepExisting":
	case "delete":
		x.res.Merged[key] = append(coll[:match:match], coll[match+1:]...)
	case "fail":
		return fmt.Errorf("a document in %s already matches on %v (whenMatched: fail)", key, on)
	default:
		return fmt.Errorf("whenMatched %q is not run by the reference runner", name)
	}
	return nil
}

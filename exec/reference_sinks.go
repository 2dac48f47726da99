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
	if s.Kind != mql.KafkaEmit {
		return fmt.Errorf("the reference runner writes $emit to topics only, not to a time series or S3")
	}
	conn, err := x.connName(s.ConnectionName)
	if err != nil {
		return err
	}
	if s.Topic.Expr == nil {
		// A fixed target shows in the result even when nothing reached it.
		x.topic(conn, s.Topic.Name)
	}
	for i := range rows {
		topic, err := target(s.Topic, &rows[i])
		if err != nil {
			x.dlq(s.Op(), rows[i].doc, rows[i].meta, err.Error())
			continue
		}
		key := x.topic(conn, topic)
		x.res.Emitted[key] = append(x.res.Emitted[key], x.output(&rows[i]))
	}
	return nil
}

// topic registers topic of conn as an $emit target and returns its key.
func (x *run) topic(conn, topic string) string {
	key := conn + "." + topic
	if _, ok := x.res.Targets[key]; !ok {
		x.res.Targets[key] = Target{Conn: conn, Topic: topic}
		x.res.Emitted[key] = nil
	}
	return key
}

// collection registers a $merge target and returns its key. A collection
// starts from what its file holds, as a MongoDB collection starts from its
// documents, so $merge upserts against them and the result is the
// collection's final state.
func (x *run) collection(conn, db, coll string) (string, error) {
	key := conn + "." + db + "." + coll
	if _, ok := x.res.Targets[key]; ok {
		return key, nil
	}
	lines, err := x.ref.Conns[conn].ReadCollection(db, coll)
	if err != nil {
		return "", fmt.Errorf("connection %s: collection %s.%s: %w", conn, db, coll, err)
	}
	docs := []bson.D{}
	for _, l := range lines {
		if l.Err != nil {
			// Rewriting the collection would lose the line, so refuse.
			return "", fmt.Errorf("connection %s: collection %s.%s: %w", conn, db, coll, l.Err)
		}
		docs = append(docs, l.Doc)
	}
	x.res.Targets[key] = Target{Conn: conn, DB: db, Coll: coll}
	x.res.Merged[key] = docs
	return key, nil
}

// merge is $merge: each document upserted into its target collection by the
// `on` fields, following whenMatched and whenNotMatched.
func (x *run) merge(s *mql.Merge, rows []row) error {
	conn, err := x.connName(s.Into.ConnectionName)
	if err != nil {
		return err
	}
	if s.Into.DB.Expr == nil && s.Into.Coll.Expr == nil {
		if _, err := x.collection(conn, s.Into.DB.Name, s.Into.Coll.Name); err != nil {
			return err
		}
	}
	on := s.On
	if len(on) == 0 {
		on = []string{"_id"}
	}
	for i := range rows {
		rw := &rows[i]
		db, err := target(s.Into.DB, rw)
		if err != nil {
			x.dlq(s.Op(), rw.doc, rw.meta, err.Error())
			continue
		}
		coll, err := target(s.Into.Coll, rw)
		if err != nil {
			x.dlq(s.Op(), rw.doc, rw.meta, err.Error())
			continue
		}
		key, err := x.collection(conn, db, coll)
		if err != nil {
			// The target's file is unreadable: a runtime failure, not
			// the document's fault.
			return err
		}
		if err := x.upsert(key, s, on, rw); err != nil {
			x.dlq(s.Op(), rw.doc, rw.meta, err.Error())
		}
	}
	return nil
}

func (x *run) upsert(key string, s *mql.Merge, on []string, rw *row) error {
	doc := x.output(rw)
	if IsMissing(getPath(doc, "_id")) {
		id := bson.NewObjectID()
		x.res.GeneratedIDs[id] = true
		doc = append(bson.D{{Key: "_id", Value: id}}, doc...)
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
			if e.Key == "_id" && !IsMissing(getPath(merged, "_id")) {
				// The matched document keeps its _id, as MongoDB's
				// $merge does when on names other fields.
				continue
			}
			merged = setPath(merged, e.Key, e.Value)
		}
		coll[match] = merged
	case "replace":
		if id := getPath(coll[match], "_id"); !IsMissing(id) {
			doc = setPath(cloneDoc(doc), "_id", id)
		}
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

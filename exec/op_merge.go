package exec

import (
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/weir-stream/weir/connectors"
	"github.com/weir-stream/weir/planner/mql"
)

// newMergeSink is $merge: Sinks[connection], each document with its
// "db.coll" (fixed or computed per document) as Doc.Target. The sink was
// opened for the stage, so on/whenMatched/whenNotMatched are its job.
func newMergeSink(rt *stRuntime, env BuildEnv, resolve func(string) (string, error), s *mql.Merge) (Operator, error) {
	conn, err := resolve(s.Into.ConnectionName)
	if err != nil {
		return nil, err
	}
	sink := env.Sinks[conn]
	if sink == nil {
		return nil, fmt.Errorf("connection %s has no sink", conn)
	}
	return &stSinkOp{rt: rt, name: s.Op(), sink: sink, target: func(r *StreamRow) (string, error) {
		rw := r.ref()
		db, err := target(s.Into.DB, &rw)
		if err != nil {
			return "", err
		}
		coll, err := target(s.Into.Coll, &rw)
		if err != nil {
			return "", err
		}
		return db + "." + coll, nil
	}}, nil
}

// MergeFuncs returns what a $merge leaves to the engine: Update for a
// whenMatched pipeline and Actions for whenMatched / whenNotMatched
// expressions, both nil when the stage has neither. Sinks call them per
// document (connectors.MergeOptions, mongodb.MergeOptions), possibly
// from several writers at once, so they share no state.
//
// The update pipeline runs over the existing document with $$new bound to
// the incoming one, then the stage's let variables (evaluated over the
// incoming document); its stages are $addFields/$set, $project, $unset
// and $replaceRoot/$replaceWith, as MongoDB's $merge allows.
func MergeFuncs(m *mql.Merge) (connectors.MergeFuncs, error) {
	var f connectors.MergeFuncs
	if p := m.WhenMatched.Pipeline; p != nil {
		for i, s := range p {
			switch s.(type) {
			case *mql.AddFields, *mql.Project, *mql.Unset, *mql.ReplaceRoot:
			default:
				return f, fmt.Errorf("$merge.whenMatched[%d]: %s is not an update stage; use $addFields, $set, $project, $unset, $replaceRoot or $replaceWith", i, s.Op())
			}
		}
		f.Update = func(existing, incoming bson.D) (bson.D, error) {
			vars := map[string]any{"new": incoming}
			for _, l := range m.Let {
				v, err := Eval(l.Value, incoming, &Env{Vars: vars})
				if err != nil {
					return nil, fmt.Errorf("$merge.let.%s: %w", l.Name, err)
				}
				vars[l.Name] = v
			}
			return mergeUpdate(p, existing, &Env{Vars: vars})
		}
	}
	if m.WhenMatched.Expr != nil || m.WhenNotMatched.Expr != nil {
		action := func(what string, e mql.Expr, doc bson.D) (string, error) {
			if e == nil {
				return "", nil
			}
			v, err := Eval(e, doc, &Env{})
			if err != nil {
				return "", fmt.Errorf("$merge.%s: %w", what, err)
			}
			s, ok := v.(string)
			if !ok {
				return "", fmt.Errorf("$merge.%s evaluated to %s, not an action name", what, TypeName(v))
			}
			return s, nil
		}
		f.Actions = func(doc bson.D) (string, string, error) {
			wm, err := action("whenMatched", m.WhenMatched.Expr, doc)
			if err != nil {
				return "", "", err
			}
			wn, err := action("whenNotMatched", m.WhenNotMatched.Expr, doc)
			return wm, wn, err
		}
	}
	return f, nil
}

// mergeUpdate runs a whenMatched pipeline over doc.
func mergeUpdate(p mql.Pipeline, doc bson.D, env *Env) (bson.D, error) {
	for i, s := range p {
		switch s := s.(type) {
		case *mql.AddFields:
			out := cloneDoc(doc)
			for _, f := range s.Fields {
				v, err := Eval(f.Value, doc, env)
				if err != nil {
					return nil, fmt.Errorf("$merge.whenMatched[%d].%s: %w", i, s.Op(), err)
				}
				if IsMissing(v) {
					out = unsetPath(out, f.Name)
				} else {
					out = setPath(out, f.Name, v)
				}
			}
			doc = out
		case *mql.Project:
			out, err := project(s, doc, env)
			if err != nil {
				return nil, fmt.Errorf("$merge.whenMatched[%d].$project: %w", i, err)
			}
			doc = out
		case *mql.Unset:
			out := cloneDoc(doc)
			for _, f := range s.Fields {
				out = unsetPath(out, f)
			}
			doc = out
		case *mql.ReplaceRoot:
			v, err := Eval(s.NewRoot, doc, env)
			if err != nil {
				return nil, fmt.Errorf("$merge.whenMatched[%d].%s: %w", i, s.Op(), err)
			}
			d, ok := v.(bson.D)
			if !ok {
				return nil, fmt.Errorf("$merge.whenMatched[%d].%s: the new root must be an object, found %s", i, s.Op(), TypeName(v))
			}
			doc = d
		default:
			return nil, fmt.Errorf("$merge.whenMatched[%d]: %s is not an update stage", i, s.Op())
		}
	}
	return doc, nil
}

package exec

import (
	"fmt"

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

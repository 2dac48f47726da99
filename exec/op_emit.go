package exec

import (
	"fmt"

	"github.com/weir-stream/weir/planner/mql"
)

// newEmitSink is $emit to a Kafka topic: Sinks[connection], each document
// with its topic (fixed or computed per document) as Doc.Target. Keys and
// headers from $emit.config are not computed yet.
func newEmitSink(rt *stRuntime, env BuildEnv, resolve func(string) (string, error), s *mql.Emit) (Operator, error) {
	if s.Kind != mql.KafkaEmit {
		return nil, fmt.Errorf("the streaming engine writes $emit to topics only, not to a time series or S3")
	}
	conn, err := resolve(s.ConnectionName)
	if err != nil {
		return nil, err
	}
	sink := env.Sinks[conn]
	if sink == nil {
		return nil, fmt.Errorf("connection %s has no sink", conn)
	}
	return &stSinkOp{rt: rt, name: s.Op(), sink: sink, target: func(r *StreamRow) (string, error) {
		rw := r.ref()
		return target(s.Topic, &rw)
	}}, nil
}

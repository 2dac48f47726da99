package exec

import (
	"encoding/binary"
	"fmt"
	"math"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/weir-stream/weir/connectors"
	"github.com/weir-stream/weir/connectors/kafka"
	"github.com/weir-stream/weir/planner/mql"
)

// newEmitSink is $emit to a Kafka topic: Sinks[connection], each document
// with its topic (fixed or computed per document) as Doc.Target, and the
// record key, headers and tombstone its config computes (asp.md §2.8). A
// document whose key, headers or tombstoneWhen can't be computed goes to
// the DLQ with the reason.
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
	op := &stSinkOp{rt: rt, name: s.Op(), sink: sink, target: func(r *StreamRow) (string, error) {
		rw := r.ref()
		return target(s.Topic, &rw)
	}}
	if c := s.Config; c != nil && (c.Key != nil || c.Headers != nil || c.TombstoneWhen != nil) {
		kf, err := kafka.ParseKeyFormat(c.KeyFormat)
		if err != nil {
			return nil, fmt.Errorf("config.%w", err)
		}
		op.fill = func(r *StreamRow, d *connectors.Doc) error { return stEmitFill(c, kf, r, d) }
	}
	return op, nil
}

// stEmitFill computes a record's key, headers and tombstone from $emit's
// config over the document as it reaches the sink.
func stEmitFill(c *mql.EmitConfig, kf kafka.KeyFormat, r *StreamRow, d *connectors.Doc) error {
	rw := r.ref()
	env := rw.env()
	if c.Key != nil {
		v, err := Eval(c.Key, r.Doc, env)
		if err != nil {
			return fmt.Errorf("key: %v", err)
		}
		if !IsMissing(v) {
			if d.Key, err = kf.Encode(v); err != nil {
				return err
			}
		}
	}
	if c.Headers != nil {
		v, err := Eval(c.Headers, r.Doc, env)
		if err != nil {
			return fmt.Errorf("headers: %v", err)
		}
		if d.Headers, err = stEmitHeaders(v); err != nil {
			return err
		}
	}
	if c.TombstoneWhen != nil {
		v, err := Eval(c.TombstoneWhen, r.Doc, env)
		if err != nil {
			return fmt.Errorf("tombstoneWhen: %v", err)
		}
		b, ok := v.(bool)
		if !ok {
			return fmt.Errorf("tombstoneWhen evaluated to %s, not a boolean", TypeName(v))
		}
		if b {
			d.Doc = nil // a record with a null value
		}
	}
	return nil
}

// stEmitHeaders reads headers as an object {name: value} or an array of
// {k, v}; a missing value leaves its header out.
func stEmitHeaders(v any) ([]connectors.Header, error) {
	var out []connectors.Header
	add := func(k string, v any) error {
		if IsMissing(v) {
			return nil
		}
		b, err := stHeaderValue(v)
		if err != nil {
			return fmt.Errorf("headers: %q: %v", k, err)
		}
		out = append(out, connectors.Header{Key: k, Value: b})
		return nil
	}
	switch h := v.(type) {
	case bson.D:
		for _, e := range h {
			if err := add(e.Key, e.Value); err != nil {
				return nil, err
			}
		}
	case bson.A:
		for i, e := range h {
			kv, ok := e.(bson.D)
			k, kok := getPath(kv, "k").(string)
			if !ok || !kok {
				return nil, fmt.Errorf("headers[%d]: expected {k: <string>, v: <value>}, found %s", i, TypeName(e))
			}
			if err := add(k, getPath(kv, "v")); err != nil {
				return nil, err
			}
		}
	default:
		if IsMissing(v) || v == nil {
			return nil, nil
		}
		return nil, fmt.Errorf("headers evaluated to %s, not an object or an array of {k, v}", TypeName(v))
	}
	return out, nil
}

// stHeaderValue encodes a header value of the types ASP allows: binData
// and strings as their bytes, objects as relaxed Extended JSON, numbers
// big-endian as Kafka's Integer, Long and Double serializers write them,
// null as a header without a value.
func stHeaderValue(v any) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case bson.Binary:
		return x.Data, nil
	case string:
		return []byte(x), nil
	case bson.D:
		return bson.MarshalExtJSON(x, false, false)
	case int32:
		return binary.BigEndian.AppendUint32(nil, uint32(x)), nil
	case int64:
		return binary.BigEndian.AppendUint64(nil, uint64(x)), nil
	case float64:
		return binary.BigEndian.AppendUint64(nil, math.Float64bits(x)), nil
	}
	return nil, fmt.Errorf("a header value must be binData, string, object, int, long, double or null, not %s", TypeName(v))
}

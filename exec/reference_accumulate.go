package exec

import (
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/weir-stream/weir/planner/mql"
)

// rowAccumulator is one accumulator of one group or window frame, fed
// whole documents.
type rowAccumulator struct {
	agg *Agg
	acc Accumulator
}

func newRowAccumulator(e mql.Expr, key any) (rowAccumulator, error) {
	agg, err := NewAgg(e)
	if err != nil {
		return rowAccumulator{}, err
	}
	acc, err := agg.New(key, nil)
	if err != nil {
		return rowAccumulator{}, err
	}
	return rowAccumulator{agg: agg, acc: acc}, nil
}

func (r rowAccumulator) add(doc bson.D, env *Env) error {
	v, err := r.agg.Input(doc, env)
	if err != nil {
		return err
	}
	return r.acc.Add(v)
}

func (r rowAccumulator) result() any { return r.acc.Result() }

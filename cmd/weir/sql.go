package main

import (
	"errors"

	"github.com/weir-stream/weir/parser"
	"github.com/weir-stream/weir/planner"
	"github.com/weir-stream/weir/planner/mql"
)

// planSQL plans every statement of a SQL file and returns the pipelines
// of those that define one (SELECT, INSERT, CREATE STREAM PROCESSOR,
// EXPLAIN of those), in order.
func planSQL(name, src string) ([]*mql.Processor, []mql.Warning, error) {
	plans, err := planner.PlanSQL(name, src)
	if err != nil {
		var pe *parser.Error
		var le *planner.Error
		if errors.As(err, &pe) && pe.Code == parser.CodeInternal {
			return nil, nil, err
		}
		if errors.As(err, &le) && le.Code == "XX000" {
			return nil, nil, err
		}
		return nil, nil, usageError{err}
	}
	var procs []*mql.Processor
	var warnings []mql.Warning
	for _, p := range plans {
		warnings = append(warnings, p.Warnings...)
		if p.Processor != nil {
			procs = append(procs, p.Processor)
		}
	}
	return procs, warnings, nil
}

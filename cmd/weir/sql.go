package main

import "github.com/weir-stream/weir/planner/mql"

// planSQL plans every statement of a SQL file that defines a pipeline.
func planSQL(name, src string) ([]*mql.Processor, []mql.Warning, error) {
	return nil, nil, badInput("%s: SQL planning is not wired yet", name)
}

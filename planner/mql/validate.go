package mql

import "fmt"

// Validate checks a processor against ASP's shape rules: $source first and
// once, at most one sink and only last, at most one window, each stage only
// where it may appear (StageInfo.Allowed), and every stage's option values.
// Decode calls it; the SQL planner calls it on the pipelines it builds.
// Extensions (top-level $group, $setWindowFields) pass; Lint warns about
// them.
func Validate(p *Processor) error {
	pl := p.Pipeline
	if len(pl) == 0 {
		return Errorf("pipeline", "is empty; a processor starts with a $source stage")
	}
	if _, ok := pl[0].(*Source); !ok {
		return Errorf("pipeline[0]", "the first stage must be $source, found %s", pl[0].Op())
	}
	v := validator{}
	if err := v.pipeline(pl, "pipeline", InMain); err != nil {
		return err
	}
	src := pl[0].(*Source)
	if src.InitialSync != nil && src.InitialSync.Enable && v.window != "" {
		return Errorf(Path("pipeline[0].$source.initialSync"), "initialSync cannot be combined with a window stage (%s); remove one of them", v.window)
	}
	if d := p.Options.DLQ; d != nil {
		for _, f := range []struct{ k, v string }{{"connectionName", d.ConnectionName}, {"db", d.DB}, {"coll", d.Coll}} {
			if f.v == "" {
				return Errorf("options.dlq", "%s is required", f.k)
			}
		}
	}
	return nil
}

type validator struct {
	// window is the path of the window stage, once one is seen.
	window Path
}

func (v *validator) pipeline(pl Pipeline, p Path, where Place) error {
	for i, s := range pl {
		sp := p.Index(i).Key(s.Op())
		info, ok := LookupStage(s.Op())
		if !ok {
			return Errorf(sp, "unknown stage %s", s.Op())
		}
		if info.Allowed&where == 0 {
			msg := fmt.Sprintf("%s is not allowed in %s; it may appear in %s", s.Op(), where, info.Allowed)
			if s.Op() == "$documents" {
				msg += " (at the top level, use $source.documents)"
			}
			return Errorf(sp, "%s", msg)
		}
		switch s := s.(type) {
		case *Source:
			if i > 0 {
				return Errorf(sp, "a pipeline has one $source, as its first stage; remove this one")
			}
		case *Merge, *Emit:
			if i != len(pl)-1 {
				return Errorf(sp, "%s writes the output and must be the last stage; found %s after it", s.Op(), pl[i+1].Op())
			}
		case *Lookup:
			if where == InLookup && s.From != nil {
				return Errorf(sp.Key("from"), "a $lookup inside another $lookup's pipeline reads the same connection; write from: %q", s.From.Coll)
			}
			if where != InLookup && s.FromColl != "" {
				return Errorf(sp.Key("from"), "from: %q names a collection only inside another $lookup's pipeline; give {connectionName, db, coll}", s.FromColl)
			}
		}
		if c, ok := s.(checker); ok {
			if err := c.check(sp); err != nil {
				return err
			}
		}
		if err := v.nested(s, sp); err != nil {
			return err
		}
	}
	return nil
}

// nested validates the pipelines inside a stage.
func (v *validator) nested(s Stage, sp Path) error {
	switch s := s.(type) {
	case Window:
		if v.window != "" {
			return Errorf(sp, "a pipeline has at most one window stage; %s is the first", v.window)
		}
		v.window = sp
		return v.pipeline(s.Inner(), sp.Key("pipeline"), InWindow)
	case *Lookup:
		return v.pipeline(s.Pipeline, sp.Key("pipeline"), InLookup)
	case *Merge:
		return v.pipeline(s.WhenMatched.Pipeline, sp.Key("whenMatched"), InWhenMatched)
	case *Https:
		return v.pipeline(s.Payload, sp.Key("payload"), InPayload)
	case *ExternalFunction:
		return v.pipeline(s.Payload, sp.Key("payload"), InPayload)
	case *Source:
		if s.StreamConfig != nil {
			return v.pipeline(s.StreamConfig.Pipeline, sp.Key("config").Key("pipeline"), InChangeStream)
		}
	}
	return nil
}

package mql

import (
	"go.mongodb.org/mongo-driver/v2/bson"
)

// Lookup is $lookup in any of its forms: equality (localField and
// foreignField), let+pipeline, concise (both), and collectionless (pipeline
// without from, starting with $documents).
type Lookup struct {
	// From is the collection joined; nil for the collectionless form or
	// when FromColl is set.
	From *Namespace
	// FromColl is the from: "<coll>" form, for a $lookup nested in another
	// $lookup's pipeline, on the same connection.
	FromColl     string
	LocalField   string
	ForeignField string
	Let          []Field
	Pipeline     Pipeline
	As           string
	// Parallelism is the number of lookup threads (1–16); 0 leaves the
	// default, 1.
	Parallelism int64
	// PartitionBy routes equal values to the same thread.
	PartitionBy Expr
}

func (*Lookup) Op() string { return "$lookup" }

func (s *Lookup) Body() any {
	d := bson.D{}
	if s.From != nil {
		d = append(d, bson.E{Key: "from", Value: s.From.doc()})
	} else if s.FromColl != "" {
		d = append(d, bson.E{Key: "from", Value: s.FromColl})
	}
	if s.LocalField != "" {
		d = append(d, bson.E{Key: "localField", Value: s.LocalField})
	}
	if s.ForeignField != "" {
		d = append(d, bson.E{Key: "foreignField", Value: s.ForeignField})
	}
	if s.Let != nil {
		d = append(d, bson.E{Key: "let", Value: fieldsDoc(s.Let)})
	}
	if s.Pipeline != nil {
		d = append(d, bson.E{Key: "pipeline", Value: EncodePipeline(s.Pipeline)})
	}
	d = append(d, bson.E{Key: "as", Value: s.As})
	if s.Parallelism != 0 {
		d = append(d, bson.E{Key: "parallelism", Value: num(s.Parallelism)})
	}
	if s.PartitionBy != nil {
		d = append(d, bson.E{Key: "partitionBy", Value: EncodeExpr(s.PartitionBy)})
	}
	return d
}

func (s *Lookup) check(p Path) error {
	if s.As == "" {
		return Errorf(p, "as is required")
	}
	if (s.LocalField == "") != (s.ForeignField == "") {
		return Errorf(p, "localField and foreignField go together; give both or neither")
	}
	if s.LocalField == "" && s.Pipeline == nil {
		return Errorf(p, "give localField and foreignField, or a pipeline")
	}
	if s.Let != nil && s.Pipeline == nil {
		return Errorf(p.Key("let"), "let needs a pipeline that uses its variables")
	}
	if s.From == nil && s.FromColl == "" && s.LocalField != "" {
		return Errorf(p, "from is required with localField and foreignField")
	}
	if s.Parallelism != 0 && (s.Parallelism < 1 || s.Parallelism > 16) {
		return Errorf(p.Key("parallelism"), "must be between 1 and 16, found %d", s.Parallelism)
	}
	if s.From == nil && s.FromColl == "" && len(s.Pipeline) > 0 {
		if _, ok := s.Pipeline[0].(*Documents); !ok {
			return Errorf(p.Key("pipeline"), "a $lookup without from reads no collection; its pipeline must start with $documents")
		}
	}
	return nil
}

var lookupKeys = []string{"from", "localField", "foreignField", "let", "pipeline", "as", "parallelism", "partitionBy"}

func (d *decoder) lookup(v any, p Path) (Stage, error) {
	o, err := d.opts(v, p, "$lookup", lookupKeys...)
	if err != nil {
		return nil, err
	}
	s := &Lookup{}
	if raw, ok := o.get("from"); ok {
		if str, isStr := raw.(string); isStr {
			s.FromColl = str
		} else {
			ns, err := d.namespace(raw, o.at("from"), "$lookup.from")
			if err != nil {
				return nil, err
			}
			s.From = &ns
		}
	}
	if s.LocalField, err = o.str("localField"); err != nil {
		return nil, err
	}
	if s.ForeignField, err = o.str("foreignField"); err != nil {
		return nil, err
	}
	if raw, ok := o.get("let"); ok {
		if s.Let, err = d.letVars(raw, o.at("let")); err != nil {
			return nil, err
		}
	}
	if raw, ok := o.get("pipeline"); ok {
		saved := d.vars
		for _, f := range s.Let {
			d.vars = append(d.vars, f.Name)
		}
		s.Pipeline, err = d.pipeline(raw, o.at("pipeline"), InLookup)
		d.vars = saved
		if err != nil {
			return nil, err
		}
	}
	if s.As, err = o.str("as"); err != nil {
		return nil, err
	}
	if s.Parallelism, err = o.int("parallelism"); err != nil {
		return nil, err
	}
	if s.PartitionBy, err = o.expr("partitionBy"); err != nil {
		return nil, err
	}
	return s, nil
}

// CachedLookup is $cachedLookup: an equality $lookup through a cache.
type CachedLookup struct {
	TTL Duration
	// MaxMemUsageBytes caps the cache; 0 leaves ASP's default, 10% of RAM.
	MaxMemUsageBytes int64
	From             Namespace
	LocalField       string
	ForeignField     string
	As               string
}

func (*CachedLookup) Op() string { return "$cachedLookup" }

func (s *CachedLookup) Body() any {
	d := bson.D{{Key: "ttl", Value: s.TTL.value()}}
	if s.MaxMemUsageBytes != 0 {
		d = append(d, bson.E{Key: "maxMemUsageBytes", Value: num(s.MaxMemUsageBytes)})
	}
	return append(d,
		bson.E{Key: "from", Value: s.From.doc()},
		bson.E{Key: "localField", Value: s.LocalField},
		bson.E{Key: "foreignField", Value: s.ForeignField},
		bson.E{Key: "as", Value: s.As})
}

func (s *CachedLookup) check(p Path) error {
	if err := s.TTL.check(p.Key("ttl"), false); err != nil {
		return err
	}
	if s.MaxMemUsageBytes < 0 {
		return Errorf(p.Key("maxMemUsageBytes"), "must be a positive integer, found %d", s.MaxMemUsageBytes)
	}
	for _, f := range []struct{ k, v string }{{"localField", s.LocalField}, {"foreignField", s.ForeignField}, {"as", s.As}} {
		if f.v == "" {
			return Errorf(p, "%s is required", f.k)
		}
	}
	return nil
}

func (d *decoder) cachedLookup(v any, p Path) (Stage, error) {
	doc, ok := v.(bson.D)
	if !ok {
		return nil, Errorf(p, "expected a document, found %s", describe(v))
	}
	for _, k := range []string{"let", "pipeline"} {
		if indexOf(doc, k) >= 0 {
			return nil, Errorf(p.Key(k), "$cachedLookup takes no %s; it joins on localField and foreignField only (use $lookup)", k)
		}
	}
	o, err := d.opts(doc, p, "$cachedLookup", "ttl", "maxMemUsageBytes", "from", "localField", "foreignField", "as")
	if err != nil {
		return nil, err
	}
	s := &CachedLookup{}
	ttl, err := o.duration("ttl")
	if err != nil {
		return nil, err
	}
	if ttl == nil {
		return nil, Errorf(p, "ttl is required")
	}
	s.TTL = *ttl
	if s.MaxMemUsageBytes, err = o.int("maxMemUsageBytes"); err != nil {
		return nil, err
	}
	raw, ok := o.get("from")
	if !ok {
		return nil, Errorf(p, "from is required")
	}
	if s.From, err = d.namespace(raw, o.at("from"), "$cachedLookup.from"); err != nil {
		return nil, err
	}
	if s.LocalField, err = o.str("localField"); err != nil {
		return nil, err
	}
	if s.ForeignField, err = o.str("foreignField"); err != nil {
		return nil, err
	}
	if s.As, err = o.str("as"); err != nil {
		return nil, err
	}
	return s, nil
}

// Documents is $documents, which starts a collectionless $lookup pipeline.
type Documents struct{ Docs Expr }

func (*Documents) Op() string       { return "$documents" }
func (s *Documents) Body() any      { return EncodeExpr(s.Docs) }
func (*Documents) check(Path) error { return nil }

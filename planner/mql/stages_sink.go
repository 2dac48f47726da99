package mql

import (
	"fmt"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// Merge is $merge: write to a MongoDB collection.
type Merge struct {
	Into MergeTarget
	// On are the fields that identify a matching document; nil is _id.
	On             []string
	Let            []Field
	WhenMatched    MergeAction
	WhenNotMatched MergeAction
	// Parallelism is the number of writer threads; 0 leaves the default, 1.
	Parallelism int64
}

// MergeTarget is $merge.into; DB and Coll may be computed per document.
type MergeTarget struct {
	ConnectionName string
	DB             NameExpr
	Coll           NameExpr
}

// MergeAction is whenMatched or whenNotMatched: a named action, an
// update pipeline (whenMatched only) or an expression that evaluates to an
// action name. All unset means ASP's default.
type MergeAction struct {
	Name     string
	Pipeline Pipeline
	Expr     Expr
}

func (a MergeAction) isZero() bool { return a.Name == "" && a.Pipeline == nil && a.Expr == nil }

func (a MergeAction) value() any {
	switch {
	case a.Pipeline != nil:
		return EncodePipeline(a.Pipeline)
	case a.Expr != nil:
		return EncodeExpr(a.Expr)
	}
	return a.Name
}

var (
	whenMatchedNames    = []string{"replace", "keepExisting", "merge", "delete", "fail"}
	whenNotMatchedNames = []string{"insert", "discard", "fail"}
)

func (*Merge) Op() string { return "$merge" }

func (s *Merge) Body() any {
	into := bson.D{}
	if s.Into.ConnectionName != "" {
		into = append(into, bson.E{Key: "connectionName", Value: s.Into.ConnectionName})
	}
	into = append(into, bson.E{Key: "db", Value: s.Into.DB.value()}, bson.E{Key: "coll", Value: s.Into.Coll.value()})
	d := bson.D{{Key: "into", Value: into}}
	if s.On != nil {
		d = append(d, bson.E{Key: "on", Value: strsValue(s.On)})
	}
	if s.Let != nil {
		d = append(d, bson.E{Key: "let", Value: fieldsDoc(s.Let)})
	}
	if !s.WhenMatched.isZero() {
		d = append(d, bson.E{Key: "whenMatched", Value: s.WhenMatched.value()})
	}
	if !s.WhenNotMatched.isZero() {
		d = append(d, bson.E{Key: "whenNotMatched", Value: s.WhenNotMatched.value()})
	}
	if s.Parallelism != 0 {
		d = append(d, bson.E{Key: "parallelism", Value: num(s.Parallelism)})
	}
	return d
}

func (s *Merge) check(p Path) error {
	ip := p.Key("into")
	if s.Into.DB.isZero() {
		return Errorf(ip, "db is required")
	}
	if s.Into.Coll.isZero() {
		return Errorf(ip, "coll is required")
	}
	if s.WhenMatched.Name != "" {
		if err := oneOf(p.Key("whenMatched"), s.WhenMatched.Name, whenMatchedNames); err != nil {
			return err
		}
	}
	if s.WhenNotMatched.Name != "" {
		if err := oneOf(p.Key("whenNotMatched"), s.WhenNotMatched.Name, whenNotMatchedNames); err != nil {
			return err
		}
	}
	if s.WhenNotMatched.Pipeline != nil {
		return Errorf(p.Key("whenNotMatched"), "takes insert, discard, fail or an expression, not a pipeline")
	}
	if s.Let != nil && s.WhenMatched.Pipeline == nil {
		return Errorf(p.Key("let"), "let is for a whenMatched pipeline; give one or remove let")
	}
	for i, f := range s.On {
		if f == "" || strings.HasPrefix(f, "$") {
			return Errorf(p.Key("on").Index(i), "%q is not a field name", f)
		}
	}
	if s.Parallelism < 0 {
		return Errorf(p.Key("parallelism"), "must be a positive integer, found %d", s.Parallelism)
	}
	return nil
}

func (d *decoder) merge(v any, p Path) (Stage, error) {
	o, err := d.opts(v, p, "$merge", "into", "on", "let", "whenMatched", "whenNotMatched", "parallelism")
	if err != nil {
		return nil, err
	}
	s := &Merge{}
	raw, ok := o.get("into")
	if !ok {
		return nil, Errorf(p, "into is required: {connectionName, db, coll}")
	}
	io, err := d.opts(raw, o.at("into"), "$merge.into", "connectionName", "db", "coll")
	if err != nil {
		if _, isStr := raw.(string); isStr {
			return nil, Errorf(o.at("into"), "expected {connectionName, db, coll}, found %s", describe(raw))
		}
		return nil, err
	}
	if s.Into.ConnectionName, err = io.str("connectionName"); err != nil {
		return nil, err
	}
	for _, k := range []string{"db", "coll"} {
		rv, ok := io.get(k)
		if !ok {
			return nil, Errorf(o.at("into"), "%s is required", k)
		}
		ne, err := d.nameExpr(rv, io.at(k))
		if err != nil {
			return nil, err
		}
		if k == "db" {
			s.Into.DB = ne
		} else {
			s.Into.Coll = ne
		}
	}
	if s.On, err = o.strs("on"); err != nil {
		return nil, err
	}
	if raw, ok := o.get("let"); ok {
		if s.Let, err = d.letVars(raw, o.at("let")); err != nil {
			return nil, err
		}
	}
	if raw, ok := o.get("whenMatched"); ok {
		saved := d.vars
		d.vars = append(d.vars, "new")
		for _, f := range s.Let {
			d.vars = append(d.vars, f.Name)
		}
		s.WhenMatched, err = d.mergeAction(raw, o.at("whenMatched"))
		d.vars = saved
		if err != nil {
			return nil, err
		}
	}
	if raw, ok := o.get("whenNotMatched"); ok {
		if s.WhenNotMatched, err = d.mergeAction(raw, o.at("whenNotMatched")); err != nil {
			return nil, err
		}
	}
	if s.Parallelism, err = o.int("parallelism"); err != nil {
		return nil, err
	}
	return s, nil
}

func (d *decoder) mergeAction(v any, p Path) (MergeAction, error) {
	switch x := v.(type) {
	case string:
		if !strings.HasPrefix(x, "$") {
			return MergeAction{Name: x}, nil
		}
	case bson.A:
		pl, err := d.pipeline(x, p, InWhenMatched)
		return MergeAction{Pipeline: pl}, err
	case bson.D:
	default:
		return MergeAction{}, Errorf(p, "expected an action name, a pipeline or an expression, found %s", describe(v))
	}
	e, err := d.expr(v, p)
	return MergeAction{Expr: e}, err
}

// EmitKind is where $emit writes.
type EmitKind uint8

const (
	// KafkaEmit writes to a topic.
	KafkaEmit EmitKind = iota
	// TimeSeriesEmit writes to a MongoDB time-series collection.
	TimeSeriesEmit
	// S3Emit writes files to an S3 bucket.
	S3Emit
)

// Emit is $emit.
type Emit struct {
	Kind           EmitKind
	ConnectionName string

	// Kafka.
	Topic  NameExpr
	Config *EmitConfig

	// Time series.
	DB, Coll   NameExpr
	TimeSeries bson.D

	// S3: Path may be computed; S3Config is kept as written (writeOptions,
	// delimiter, outputFormat, dateFormat, compression, compressionLevel).
	Bucket, Region string
	Path           NameExpr
	S3Config       bson.D
}

// EmitConfig is $emit.config for Kafka.
type EmitConfig struct {
	// Acks is "all", "-1", "0" or "1"; numbers encode as numbers.
	Acks            string
	CompressionType string
	DateFormat      string
	Headers         Expr
	Key             Expr
	KeyFormat       string
	OutputFormat    string
	TombstoneWhen   Expr
}

var (
	emitKafkaKeys      = []string{"connectionName", "topic", "config"}
	emitTimeSeriesKeys = []string{"connectionName", "db", "coll", "timeseries"}
	emitS3Keys         = []string{"connectionName", "bucket", "region", "path", "config"}
	emitConfigKeys     = []string{"acks", "compression_type", "dateFormat", "headers", "key", "keyFormat", "outputFormat", "tombstoneWhen"}
	s3ConfigKeys       = []string{"writeOptions", "delimiter", "outputFormat", "dateFormat", "compression", "compressionLevel"}
	compressionTypes   = []string{"none", "gzip", "snappy", "lz4", "zstd"}
	dateFormats        = []string{"default", "ISO8601"}
	outputFormats      = []string{"relaxedJson", "canonicalJson"}
)

func (*Emit) Op() string { return "$emit" }

func (s *Emit) Body() any {
	d := bson.D{{Key: "connectionName", Value: s.ConnectionName}}
	add := func(k string, v any) { d = append(d, bson.E{Key: k, Value: v}) }
	switch s.Kind {
	case KafkaEmit:
		add("topic", s.Topic.value())
		if c := s.Config; c != nil {
			cd := bson.D{}
			put := func(k string, v any) { cd = append(cd, bson.E{Key: k, Value: v}) }
			if c.Acks != "" {
				switch c.Acks {
				case "-1":
					put("acks", int32(-1))
				case "0":
					put("acks", int32(0))
				case "1":
					put("acks", int32(1))
				default:
					put("acks", c.Acks)
				}
			}
			for _, kv := range []struct{ k, v string }{{"compression_type", c.CompressionType}, {"dateFormat", c.DateFormat}} {
				if kv.v != "" {
					put(kv.k, kv.v)
				}
			}
			for _, kv := range []struct {
				k string
				e Expr
			}{{"headers", c.Headers}, {"key", c.Key}} {
				if kv.e != nil {
					put(kv.k, EncodeExpr(kv.e))
				}
			}
			if c.KeyFormat != "" {
				put("keyFormat", c.KeyFormat)
			}
			if c.OutputFormat != "" {
				put("outputFormat", c.OutputFormat)
			}
			if c.TombstoneWhen != nil {
				put("tombstoneWhen", EncodeExpr(c.TombstoneWhen))
			}
			add("config", cd)
		}
	case TimeSeriesEmit:
		add("db", s.DB.value())
		add("coll", s.Coll.value())
		add("timeseries", s.TimeSeries)
	case S3Emit:
		add("bucket", s.Bucket)
		if s.Region != "" {
			add("region", s.Region)
		}
		add("path", s.Path.value())
		if s.S3Config != nil {
			add("config", s.S3Config)
		}
	}
	return d
}

func (s *Emit) check(p Path) error {
	if s.ConnectionName == "" {
		return Errorf(p, "connectionName is required")
	}
	switch s.Kind {
	case KafkaEmit:
		if s.Topic.isZero() {
			return Errorf(p, "topic is required (a name or an expression); to write to a collection use $merge")
		}
		if c := s.Config; c != nil {
			cp := p.Key("config")
			if err := optOneOf(cp.Key("acks"), c.Acks, []string{"all", "-1", "0", "1"}); err != nil {
				return err
			}
			if err := optOneOf(cp.Key("compression_type"), c.CompressionType, compressionTypes); err != nil {
				return err
			}
			if err := optOneOf(cp.Key("dateFormat"), c.DateFormat, dateFormats); err != nil {
				return err
			}
			if err := optOneOf(cp.Key("keyFormat"), c.KeyFormat, keyFormats); err != nil {
				return err
			}
			if err := optOneOf(cp.Key("outputFormat"), c.OutputFormat, outputFormats); err != nil {
				return err
			}
		}
	case TimeSeriesEmit:
		if s.DB.isZero() || s.Coll.isZero() {
			return Errorf(p, "a time-series $emit needs db and coll")
		}
		if indexOf(s.TimeSeries, "timeField") < 0 {
			return Errorf(p.Key("timeseries"), "timeField is required")
		}
	case S3Emit:
		if s.Bucket == "" {
			return Errorf(p, "bucket is required")
		}
		if s.Path.isZero() {
			return Errorf(p, "path is required")
		}
	}
	return nil
}

func (d *decoder) emit(v any, p Path) (Stage, error) {
	doc, ok := v.(bson.D)
	if !ok {
		return nil, Errorf(p, "expected a document, found %s", describe(v))
	}
	s := &Emit{}
	keys, what := emitKafkaKeys, "a Kafka $emit"
	switch {
	case indexOf(doc, "bucket") >= 0:
		s.Kind, keys, what = S3Emit, emitS3Keys, "an S3 $emit"
	case indexOf(doc, "timeseries") >= 0 || indexOf(doc, "db") >= 0:
		s.Kind, keys, what = TimeSeriesEmit, emitTimeSeriesKeys, "a time-series $emit"
	}
	o, err := d.opts(doc, p, what, keys...)
	if err != nil {
		return nil, err
	}
	if s.ConnectionName, err = o.str("connectionName"); err != nil {
		return nil, err
	}
	nameExpr := func(k string) (NameExpr, error) {
		raw, ok := o.get(k)
		if !ok {
			return NameExpr{}, nil
		}
		return d.nameExpr(raw, o.at(k))
	}
	switch s.Kind {
	case KafkaEmit:
		if s.Topic, err = nameExpr("topic"); err != nil {
			return nil, err
		}
		if raw, ok := o.get("config"); ok {
			if s.Config, err = d.emitConfig(raw, o.at("config")); err != nil {
				return nil, err
			}
		}
	case TimeSeriesEmit:
		if s.DB, err = nameExpr("db"); err != nil {
			return nil, err
		}
		if s.Coll, err = nameExpr("coll"); err != nil {
			return nil, err
		}
		raw, ok := o.get("timeseries")
		if !ok {
			return nil, Errorf(p, "a time-series $emit needs timeseries: {timeField, …}; to write to a plain collection use $merge")
		}
		ts, isDoc := raw.(bson.D)
		if !isDoc {
			return nil, Errorf(o.at("timeseries"), "expected {timeField, metaField, granularity, …}, found %s", describe(raw))
		}
		s.TimeSeries = ts
	case S3Emit:
		if s.Bucket, err = o.str("bucket"); err != nil {
			return nil, err
		}
		if s.Region, err = o.str("region"); err != nil {
			return nil, err
		}
		if s.Path, err = nameExpr("path"); err != nil {
			return nil, err
		}
		if raw, ok := o.get("config"); ok {
			co, err := d.opts(raw, o.at("config"), "an S3 $emit config", s3ConfigKeys...)
			if err != nil {
				return nil, err
			}
			if raw, ok := co.get("writeOptions"); ok {
				if _, err := d.opts(raw, co.at("writeOptions"), "writeOptions", "count", "bytes", "interval"); err != nil {
					return nil, err
				}
			}
			s.S3Config = co.doc
		}
	}
	return s, nil
}

func (d *decoder) emitConfig(v any, p Path) (*EmitConfig, error) {
	o, err := d.opts(v, p, "a Kafka $emit config", emitConfigKeys...)
	if err != nil {
		return nil, err
	}
	c := &EmitConfig{}
	if raw, ok := o.get("acks"); ok {
		if n, isInt := asInt(raw); isInt {
			c.Acks = fmt.Sprint(n)
		} else if s, isStr := raw.(string); isStr {
			c.Acks = s
		} else {
			return nil, Errorf(o.at("acks"), "expected -1, 0, 1 or \"all\", found %s", describe(raw))
		}
	}
	for _, f := range []struct {
		k   string
		dst *string
	}{{"compression_type", &c.CompressionType}, {"dateFormat", &c.DateFormat}, {"keyFormat", &c.KeyFormat}, {"outputFormat", &c.OutputFormat}} {
		if *f.dst, err = o.str(f.k); err != nil {
			return nil, err
		}
	}
	for _, f := range []struct {
		k   string
		dst *Expr
	}{{"headers", &c.Headers}, {"key", &c.Key}, {"tombstoneWhen", &c.TombstoneWhen}} {
		if *f.dst, err = o.expr(f.k); err != nil {
			return nil, err
		}
	}
	return c, nil
}

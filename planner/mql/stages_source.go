package mql

import (
	"maps"
	"slices"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// SourceKind is what a $source reads; the options present decide it.
type SourceKind uint8

const (
	// ChangeStreamSource reads MongoDB change events of a collection (db and
	// coll), a database (db only) or a cluster (neither).
	ChangeStreamSource SourceKind = iota
	// KafkaSource reads one or more topics.
	KafkaSource
	// DocumentsSource reads an inline array of documents, then ends.
	DocumentsSource
	// SampleSource reads ASP's sample solar stream (connectionName
	// "sample_stream_solar").
	SampleSource
	// ScheduledSource emits one document per tick of a six-field cron schedule
	// (an ASP preview).
	ScheduledSource
)

// SampleSolar is the connection name of ASP's built-in sample stream.
const SampleSolar = "sample_stream_solar"

func (k SourceKind) String() string {
	return [...]string{"change stream", "Kafka", "documents", "sample", "scheduled"}[k]
}

// Source is the $source stage.
type Source struct {
	Kind           SourceKind
	ConnectionName string

	// TimeField computes the event time; nil uses the source's timestamp.
	// ASP wants {$toDate: …} or {$dateFromString: …}.
	TimeField Expr
	// TsFieldName renames _ts, the field holding the event time.
	TsFieldName string

	// Kafka.
	Topics               []string
	PartitionIdleTimeout *Duration
	// SchemaRegistry is the connection name of an Avro schema registry.
	SchemaRegistry string
	KafkaConfig    *KafkaSourceConfig

	// Change stream.
	DB                 string
	Colls              []string
	InitialSync        *InitialSync
	ReadPreference     string
	ReadPreferenceTags bson.A
	StreamConfig       *ChangeStreamConfig

	// Documents: an array of documents, or an expression computing one.
	Docs     bson.A
	DocsExpr Expr

	// Scheduled: a six-field cron expression.
	Schedule string
}

// KafkaSourceConfig is $source.config for a Kafka source.
type KafkaSourceConfig struct {
	AutoOffsetReset  string
	GroupID          string
	EnableAutoCommit *bool
	KeyFormat        string
	KeyFormatError   string
	// Extra holds librdkafka properties ASP doesn't document; weir passes
	// them to the Kafka client as they are.
	Extra bson.D
}

// ChangeStreamConfig is $source.config for a change stream.
type ChangeStreamConfig struct {
	StartAfter               any // a resume token
	StartAtOperationTime     any // bson.Timestamp or bson.DateTime
	FullDocument             string
	FullDocumentOnly         *bool
	FullDocumentBeforeChange string
	Pipeline                 Pipeline
	MaxAwaitTimeMS           int64
	// Fallback is a weir extension Atlas refuses: what to do when the
	// server has no change streams (FerretDB, some MongoDB-compatible
	// services). "poll" tails inserts in _id order instead, "none" fails
	// at start; "" leaves it to the connection's fallback option.
	Fallback string
}

// Change-stream fallbacks ($source.config.fallback, a weir extension).
const (
	FallbackPoll = "poll"
	FallbackNone = "none"
)

// InitialSync is $source.initialSync: copy the existing documents first.
type InitialSync struct {
	Enable      bool
	Parallelism int64
}

func (*Source) Op() string { return "$source" }

// FullDocumentOnly reports whether a change stream emits bare documents
// rather than change events.
func (s *Source) FullDocumentOnly() bool {
	return s.StreamConfig != nil && s.StreamConfig.FullDocumentOnly != nil && *s.StreamConfig.FullDocumentOnly
}

func (s *Source) Body() any {
	d := bson.D{}
	add := func(k string, v any) { d = append(d, bson.E{Key: k, Value: v}) }
	if s.ConnectionName != "" {
		add("connectionName", s.ConnectionName)
	}
	switch s.Kind {
	case KafkaSource:
		add("topic", strsValue(s.Topics))
	case ChangeStreamSource:
		if s.DB != "" {
			add("db", s.DB)
		}
		if len(s.Colls) > 0 {
			add("coll", strsValue(s.Colls))
		}
	case DocumentsSource:
		if s.DocsExpr != nil {
			add("documents", EncodeExpr(s.DocsExpr))
		} else {
			add("documents", s.Docs)
		}
	case ScheduledSource:
		add("schedule", s.Schedule)
	}
	if s.TimeField != nil {
		add("timeField", EncodeExpr(s.TimeField))
	}
	if s.TsFieldName != "" {
		add("tsFieldName", s.TsFieldName)
	}
	if s.PartitionIdleTimeout != nil {
		add("partitionIdleTimeout", s.PartitionIdleTimeout.value())
	}
	if s.SchemaRegistry != "" {
		add("schemaRegistry", bson.D{{Key: "connectionName", Value: s.SchemaRegistry}})
	}
	if s.InitialSync != nil {
		is := bson.D{{Key: "enable", Value: s.InitialSync.Enable}}
		if s.InitialSync.Parallelism != 0 {
			is = append(is, bson.E{Key: "parallelism", Value: num(s.InitialSync.Parallelism)})
		}
		add("initialSync", is)
	}
	if s.ReadPreference != "" {
		add("readPreference", s.ReadPreference)
	}
	if s.ReadPreferenceTags != nil {
		add("readPreferenceTags", s.ReadPreferenceTags)
	}
	if c := s.KafkaConfig; c != nil {
		cd := bson.D{}
		if c.AutoOffsetReset != "" {
			cd = append(cd, bson.E{Key: "auto_offset_reset", Value: c.AutoOffsetReset})
		}
		if c.GroupID != "" {
			cd = append(cd, bson.E{Key: "group_id", Value: c.GroupID})
		}
		if c.EnableAutoCommit != nil {
			cd = append(cd, bson.E{Key: "enable_auto_commit", Value: *c.EnableAutoCommit})
		}
		if c.KeyFormat != "" {
			cd = append(cd, bson.E{Key: "keyFormat", Value: c.KeyFormat})
		}
		if c.KeyFormatError != "" {
			cd = append(cd, bson.E{Key: "keyFormatError", Value: c.KeyFormatError})
		}
		cd = append(cd, c.Extra...)
		add("config", cd)
	}
	if c := s.StreamConfig; c != nil {
		cd := bson.D{}
		if c.StartAfter != nil {
			cd = append(cd, bson.E{Key: "startAfter", Value: c.StartAfter})
		}
		if c.StartAtOperationTime != nil {
			cd = append(cd, bson.E{Key: "startAtOperationTime", Value: c.StartAtOperationTime})
		}
		if c.FullDocument != "" {
			cd = append(cd, bson.E{Key: "fullDocument", Value: c.FullDocument})
		}
		if c.FullDocumentOnly != nil {
			cd = append(cd, bson.E{Key: "fullDocumentOnly", Value: *c.FullDocumentOnly})
		}
		if c.FullDocumentBeforeChange != "" {
			cd = append(cd, bson.E{Key: "fullDocumentBeforeChange", Value: c.FullDocumentBeforeChange})
		}
		if c.Pipeline != nil {
			cd = append(cd, bson.E{Key: "pipeline", Value: EncodePipeline(c.Pipeline)})
		}
		if c.MaxAwaitTimeMS != 0 {
			cd = append(cd, bson.E{Key: "maxAwaitTimeMS", Value: num(c.MaxAwaitTimeMS)})
		}
		if c.Fallback != "" {
			cd = append(cd, bson.E{Key: "fallback", Value: c.Fallback})
		}
		add("config", cd)
	}
	return d
}

// strsValue encodes one name as a string and several as an array.
func strsValue(ss []string) any {
	if len(ss) == 1 {
		return ss[0]
	}
	a := make(bson.A, len(ss))
	for i, s := range ss {
		a[i] = s
	}
	return a
}

var (
	sourceCommon       = []string{"connectionName", "timeField", "tsFieldName"}
	kafkaSourceKeys    = append(slices.Clone(sourceCommon), "topic", "partitionIdleTimeout", "schemaRegistry", "config")
	streamSourceKeys   = append(slices.Clone(sourceCommon), "db", "coll", "initialSync", "readPreference", "readPreferenceTags", "config")
	documentSourceKeys = []string{"documents", "timeField", "tsFieldName"}
	sampleSourceKeys   = sourceCommon
	scheduleSourceKeys = []string{"schedule", "tsFieldName"}

	kafkaConfigKeys  = []string{"auto_offset_reset", "group_id", "enable_auto_commit", "keyFormat", "keyFormatError"}
	streamConfigKeys = []string{"startAfter", "startAtOperationTime", "fullDocument", "fullDocumentOnly", "fullDocumentBeforeChange", "pipeline", "maxAwaitTimeMS", "fallback"}

	autoOffsetResets          = []string{"earliest", "beginning", "smallest", "latest", "end", "largest"}
	keyFormats                = []string{"binData", "string", "json", "int", "long"}
	keyFormatErrors           = []string{"dlq", "passThrough"}
	fullDocuments             = []string{"default", "updateLookup", "required", "whenAvailable"}
	fullDocumentBeforeChanges = []string{"off", "required", "whenAvailable"}
	streamFallbacks           = []string{FallbackPoll, FallbackNone}
	readPreferences           = []string{"primary", "primaryPreferred", "secondary", "secondaryPreferred", "nearest"}
)

func (d *decoder) source(v any, p Path) (Stage, error) {
	doc, ok := v.(bson.D)
	if !ok {
		return nil, Errorf(p, "expected a document, found %s", describe(v))
	}
	// "collection" is what the seeds write; ASP spells it coll.
	if i := indexOf(doc, "collection"); i >= 0 && indexOf(doc, "coll") < 0 {
		doc = slices.Clone(doc)
		doc[i].Key = "coll"
		d.warnf(p.Key("collection"), `"collection" is an alias of "coll"; Atlas accepts only "coll"`)
	}
	s := &Source{}
	has := func(k string) bool { return indexOf(doc, k) >= 0 }
	var keys []string
	var what string
	switch {
	case has("documents"):
		s.Kind, keys, what = DocumentsSource, documentSourceKeys, "a documents $source"
	case has("schedule"):
		s.Kind, keys, what = ScheduledSource, scheduleSourceKeys, "a scheduled $source"
	case has("topic"):
		s.Kind, keys, what = KafkaSource, kafkaSourceKeys, "a Kafka $source"
	case sourceConn(doc) == SampleSolar:
		s.Kind, keys, what = SampleSource, sampleSourceKeys, "the sample $source"
	default:
		s.Kind, keys, what = ChangeStreamSource, streamSourceKeys, "a change-stream $source"
	}
	o, err := d.opts(doc, p, what, keys...)
	if err != nil {
		return nil, sourceKindHint(doc, p, what, keys, err)
	}
	if s.ConnectionName, err = o.str("connectionName"); err != nil {
		return nil, err
	}
	if s.TimeField, err = o.expr("timeField"); err != nil {
		return nil, err
	}
	if s.TsFieldName, err = o.str("tsFieldName"); err != nil {
		return nil, err
	}
	switch s.Kind {
	case KafkaSource:
		if s.Topics, err = o.strs("topic"); err != nil {
			return nil, err
		}
		if s.PartitionIdleTimeout, err = o.duration("partitionIdleTimeout"); err != nil {
			return nil, err
		}
		if raw, ok := o.get("schemaRegistry"); ok {
			sr, err := d.opts(raw, o.at("schemaRegistry"), "schemaRegistry", "connectionName")
			if err != nil {
				return nil, err
			}
			if s.SchemaRegistry, err = sr.reqStr("connectionName"); err != nil {
				return nil, err
			}
		}
		if raw, ok := o.get("config"); ok {
			if s.KafkaConfig, err = d.kafkaSourceConfig(raw, o.at("config")); err != nil {
				return nil, err
			}
		}
	case ChangeStreamSource:
		if s.DB, err = o.str("db"); err != nil {
			return nil, err
		}
		if s.Colls, err = o.strs("coll"); err != nil {
			return nil, err
		}
		if raw, ok := o.get("initialSync"); ok {
			is, err := d.opts(raw, o.at("initialSync"), "initialSync", "enable", "parallelism")
			if err != nil {
				return nil, err
			}
			s.InitialSync = &InitialSync{}
			en, err := is.boolean("enable")
			if err != nil {
				return nil, err
			}
			if en == nil {
				return nil, Errorf(o.at("initialSync"), "enable is required")
			}
			s.InitialSync.Enable = *en
			if s.InitialSync.Parallelism, err = is.int("parallelism"); err != nil {
				return nil, err
			}
		}
		if s.ReadPreference, err = o.str("readPreference"); err != nil {
			return nil, err
		}
		if raw, ok := o.get("readPreferenceTags"); ok {
			a, isArr := raw.(bson.A)
			if !isArr {
				return nil, Errorf(o.at("readPreferenceTags"), "expected an array of tag documents, found %s", describe(raw))
			}
			s.ReadPreferenceTags = a
		}
		if raw, ok := o.get("config"); ok {
			if s.StreamConfig, err = d.streamConfig(raw, o.at("config")); err != nil {
				return nil, err
			}
		}
	case DocumentsSource:
		raw, _ := o.get("documents")
		if a, isArr := raw.(bson.A); isArr {
			for i, e := range a {
				if _, isDoc := e.(bson.D); !isDoc {
					return nil, Errorf(o.at("documents").Index(i), "expected a document, found %s", describe(e))
				}
			}
			s.Docs = a
		} else if s.DocsExpr, err = d.expr(raw, o.at("documents")); err != nil {
			return nil, err
		}
	case ScheduledSource:
		if s.Schedule, err = o.str("schedule"); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// sourceKinds names the kind of $source each kind-specific option belongs
// to, and the option that makes a $source that kind.
var sourceKinds = map[string]struct{ what, needs string }{
	"topic":                {"a Kafka $source", "topic"},
	"partitionIdleTimeout": {"a Kafka $source", "topic"},
	"schemaRegistry":       {"a Kafka $source", "topic"},
	"documents":            {"a documents $source", "documents"},
	"schedule":             {"a scheduled $source", "schedule"},
	"db":                   {"a change-stream $source", "no topic, documents or schedule"},
	"coll":                 {"a change-stream $source", "no topic, documents or schedule"},
	"initialSync":          {"a change-stream $source", "no topic, documents or schedule"},
	"readPreference":       {"a change-stream $source", "no topic, documents or schedule"},
	"readPreferenceTags":   {"a change-stream $source", "no topic, documents or schedule"},
}

// sourceKindHint explains an unknown $source option that belongs to (or is
// a typo of an option of) another kind of source: with "topics" for
// "topic", the source was read as a change stream, and the plain unknown
// option error would not say why.
func sourceKindHint(doc bson.D, p Path, what string, keys []string, err error) error {
	for _, e := range doc {
		if slices.Contains(keys, e.Key) {
			continue
		}
		target := e.Key
		if _, ok := sourceKinds[target]; !ok {
			target = closest(e.Key, slices.Sorted(maps.Keys(sourceKinds)))
		}
		k, ok := sourceKinds[target]
		if !ok || k.what == what {
			return err
		}
		if target == e.Key {
			return Errorf(p.Key(e.Key), "%s is an option of %s, which has %s; this one was read as %s", e.Key, k.what, k.needs, what)
		}
		return Errorf(p.Key(e.Key), "unknown option %q of %s; did you mean %q, of %s?", e.Key, what, target, k.what)
	}
	return err
}

func sourceConn(doc bson.D) string {
	if i := indexOf(doc, "connectionName"); i >= 0 {
		s, _ := doc[i].Value.(string)
		return s
	}
	return ""
}

func (d *decoder) kafkaSourceConfig(v any, p Path) (*KafkaSourceConfig, error) {
	doc, ok := v.(bson.D)
	if !ok {
		return nil, Errorf(p, "expected a document, found %s", describe(v))
	}
	c := &KafkaSourceConfig{}
	var known bson.D
	for _, e := range doc {
		if slices.Contains(kafkaConfigKeys, e.Key) {
			known = append(known, e)
			continue
		}
		// librdkafka properties are dotted lower case (fetch.min.bytes);
		// anything else is more likely a typo of an ASP option.
		if c := closest(e.Key, kafkaConfigKeys); c != "" && !strings.Contains(e.Key, ".") {
			return nil, unknownKey(p.Key(e.Key), e.Key, "a Kafka $source config", kafkaConfigKeys)
		}
		c.Extra = append(c.Extra, e)
		d.warnf(p.Key(e.Key), "not an ASP option; passed to the Kafka client as is")
	}
	o, err := d.opts(known, p, "a Kafka $source config", kafkaConfigKeys...)
	if err != nil {
		return nil, err
	}
	if c.AutoOffsetReset, err = o.str("auto_offset_reset"); err != nil {
		return nil, err
	}
	if c.GroupID, err = o.str("group_id"); err != nil {
		return nil, err
	}
	if c.EnableAutoCommit, err = o.boolean("enable_auto_commit"); err != nil {
		return nil, err
	}
	if c.KeyFormat, err = o.str("keyFormat"); err != nil {
		return nil, err
	}
	if c.KeyFormatError, err = o.str("keyFormatError"); err != nil {
		return nil, err
	}
	return c, nil
}

func (d *decoder) streamConfig(v any, p Path) (*ChangeStreamConfig, error) {
	o, err := d.opts(v, p, "a change-stream $source config", streamConfigKeys...)
	if err != nil {
		return nil, err
	}
	c := &ChangeStreamConfig{}
	if raw, ok := o.get("startAfter"); ok {
		if _, isDoc := raw.(bson.D); !isDoc {
			return nil, Errorf(o.at("startAfter"), "expected a resume token document {_data: …}, found %s", describe(raw))
		}
		c.StartAfter = raw
	}
	if raw, ok := o.get("startAtOperationTime"); ok {
		switch raw.(type) {
		case bson.Timestamp, bson.DateTime:
		default:
			return nil, Errorf(o.at("startAtOperationTime"), "expected a date ({$date: …}) or a timestamp ({$timestamp: …}), found %s", describe(raw))
		}
		c.StartAtOperationTime = raw
	}
	if c.FullDocument, err = o.str("fullDocument"); err != nil {
		return nil, err
	}
	if c.FullDocumentOnly, err = o.boolean("fullDocumentOnly"); err != nil {
		return nil, err
	}
	if c.FullDocumentBeforeChange, err = o.str("fullDocumentBeforeChange"); err != nil {
		return nil, err
	}
	if raw, ok := o.get("pipeline"); ok {
		if c.Pipeline, err = d.pipeline(raw, o.at("pipeline"), InChangeStream); err != nil {
			return nil, err
		}
	}
	if c.MaxAwaitTimeMS, err = o.int("maxAwaitTimeMS"); err != nil {
		return nil, err
	}
	if c.Fallback, err = o.str("fallback"); err != nil {
		return nil, err
	}
	if _, ok := o.get("fallback"); ok && c.Fallback == "" {
		return nil, Errorf(o.at("fallback"), `"" is not one of %s; leave fallback out to use the connection's`, strings.Join(streamFallbacks, ", "))
	}
	return c, nil
}

func (s *Source) check(p Path) error {
	// A change stream without a connection is allowed (the seeds write
	// one); Lint warns.
	if s.Kind == KafkaSource && s.ConnectionName == "" {
		return Errorf(p, "connectionName is required")
	}
	if s.Kind == KafkaSource {
		if len(s.Topics) == 0 {
			return Errorf(p, "topic is required")
		}
		for i, t := range s.Topics {
			if t == "" {
				return Errorf(p.Key("topic").Index(i), "must not be empty")
			}
		}
	}
	if s.Kind == ChangeStreamSource && len(s.Colls) > 0 && s.DB == "" {
		return Errorf(p.Key("coll"), "coll needs db; give db too")
	}
	if s.Kind == ScheduledSource && len(strings.Fields(s.Schedule)) != 6 {
		return Errorf(p.Key("schedule"), "%q is not a six-field cron expression (second minute hour day month weekday)", s.Schedule)
	}
	if s.Kind == DocumentsSource && s.ConnectionName != "" {
		return Errorf(p.Key("connectionName"), "a documents $source has no connection")
	}
	if d := s.PartitionIdleTimeout; d != nil {
		if err := d.check(p.Key("partitionIdleTimeout"), false); err != nil {
			return err
		}
	}
	if is := s.InitialSync; is != nil && is.Parallelism < 0 {
		return Errorf(p.Key("initialSync").Key("parallelism"), "must be a positive integer, found %d", is.Parallelism)
	}
	if s.ReadPreference != "" {
		if err := oneOf(p.Key("readPreference"), s.ReadPreference, readPreferences); err != nil {
			return err
		}
	}
	if c := s.KafkaConfig; c != nil {
		cp := p.Key("config")
		if err := optOneOf(cp.Key("auto_offset_reset"), c.AutoOffsetReset, autoOffsetResets); err != nil {
			return err
		}
		if err := optOneOf(cp.Key("keyFormat"), c.KeyFormat, keyFormats); err != nil {
			return err
		}
		if err := optOneOf(cp.Key("keyFormatError"), c.KeyFormatError, keyFormatErrors); err != nil {
			return err
		}
	}
	if c := s.StreamConfig; c != nil {
		cp := p.Key("config")
		if c.StartAfter != nil && c.StartAtOperationTime != nil {
			return Errorf(cp, "startAfter and startAtOperationTime are exclusive; give one")
		}
		if err := optOneOf(cp.Key("fullDocument"), c.FullDocument, fullDocuments); err != nil {
			return err
		}
		if err := optOneOf(cp.Key("fullDocumentBeforeChange"), c.FullDocumentBeforeChange, fullDocumentBeforeChanges); err != nil {
			return err
		}
		if c.MaxAwaitTimeMS < 0 {
			return Errorf(cp.Key("maxAwaitTimeMS"), "must be a positive integer, found %d", c.MaxAwaitTimeMS)
		}
		if err := optOneOf(cp.Key("fallback"), c.Fallback, streamFallbacks); err != nil {
			return err
		}
	}
	return nil
}

// oneOf checks that s is one of the allowed values.
func oneOf(p Path, s string, allowed []string) error {
	if slices.Contains(allowed, s) {
		return nil
	}
	msg := ""
	if c := closest(s, allowed); c != "" {
		msg = "; did you mean " + `"` + c + `"?`
	}
	return Errorf(p, "%q is not one of %s%s", s, strings.Join(allowed, ", "), msg)
}

// optOneOf is oneOf for an option that may be unset.
func optOneOf(p Path, s string, allowed []string) error {
	if s == "" {
		return nil
	}
	return oneOf(p, s, allowed)
}

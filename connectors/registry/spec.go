package registry

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/weir-stream/weir/connectors/kafka"
	"github.com/weir-stream/weir/connectors/mongodb"
)

// Kind is a connection type.
type Kind string

// The connection kinds weir has.
const (
	File    Kind = "file"
	Kafka   Kind = "kafka"
	MongoDB Kind = "mongodb"
)

// Type is how an option's value is checked.
type Type string

// Option types.
const (
	String   Type = "string"
	Bool     Type = "bool"
	Duration Type = "duration"
	// Secret is a string that is never printed; env:VAR reads it from the
	// environment.
	Secret Type = "secret"
)

// Option is one key of a connection: the same name in a URI's query, a
// config file's section and CREATE CONNECTION … WITH (…).
type Option struct {
	Name string
	Type Type
	// Values, when set, are the only values accepted.
	Values  []string
	Default string
	Doc     string
	// Required options must be given (by the URI or by name).
	Required bool
}

// Spec is one connection kind: how a URI names it, its options, and what
// its connections serve.
type Spec struct {
	Kind Kind
	// URI is the form --conn takes, for messages and docs.
	URI     string
	Summary string
	// Serves says which stages a connection of this kind can back.
	Serves  string
	Options []Option
}

// Specs is the registry: every connection kind, in one table. Parsing,
// validation and docs/connections.md all read it, so adding an option
// here is the whole job of documenting it.
func Specs() []Spec {
	return []Spec{
		{
			Kind:    File,
			URI:     "file:DIR",
			Summary: "A directory of JSON Lines files, one Extended JSON document per line: stream (topic) NAME is DIR/NAME.jsonl, collection DB.COLL is DIR/DB/COLL.jsonl. For CI, tests and trying pipelines on fixtures; sources are read once and end, so every window closes and `weir run` exits.",
			Serves:  "$source (topics, and collections as insert change events), $lookup, $merge (upsert, file rewritten atomically at each flush), $emit (append), DLQ (append)",
			Options: []Option{
				{Name: "dir", Type: String, Required: true, Doc: "the directory; file:DIR's path"},
			},
		},
		{
			Kind:    Kafka,
			URI:     "kafka://HOST:PORT[,HOST:PORT…][?OPTION=VALUE&…]",
			Summary: "Apache Kafka (or any broker speaking its protocol: Redpanda, WarpStream, kfake) through franz-go. Credentials go in sasl_username / sasl_password, never in the URI's user part, so env:VAR can keep them off command lines.",
			Serves:  "$source (topics; consumer group weir-PROCESSOR unless $source.config.group_id), $emit (topic, or a topic expression)",
			Options: kafkaOptions(),
		},
		{
			Kind:    MongoDB,
			URI:     "mongodb://[USER@]HOST:PORT[,…]/[?OPTION=VALUE&…]` or `mongodb+srv://…",
			Summary: "MongoDB (or a MongoDB-wire server such as FerretDB) through mongo-driver v2; any MongoDB URI, with the driver's auth and TLS options. The URI's own options (authSource, tls, replicaSet, …) go to the driver; the options below are weir's and are taken out of the URI's query before it does.",
			Serves:  "$source (change streams; with fallback=poll, tailing inserts on servers without them), $lookup (one find with $in per batch), $merge (unordered bulk writes), DLQ (insert)",
			Options: []Option{
				{Name: "uri", Type: Secret, Required: true, Doc: "the connection string; it may hold a password, so it is printed redacted, and env:VAR reads it from the environment"},
				{Name: "password", Type: Secret, Doc: "the password of the URI's user (the URI must name the user); env:VAR reads it from the environment, which keeps it out of the URI"},
				{Name: "connect_timeout", Type: Duration, Default: mongodb.DefaultConnectTimeout.String(), Doc: "bound on connecting and the first ping; start-up fails after it, naming the connection and its hosts"},
				{Name: "fallback", Type: String, Values: []string{"", mongodb.FallbackPoll, mongodb.FallbackNone}, Doc: "poll: when the server has no change streams (FerretDB, some MongoDB-compatible services), a $source on one collection tails inserts in _id order instead — inserts only; updates, deletes and lower _ids are not seen. none (or unset): such a $source fails at start. A $source's config.fallback wins over this"},
				{Name: "poll_interval", Type: Duration, Default: "1s", Doc: "how often the poll fallback looks for new documents when the last look found none"},
			},
		},
	}
}

// kafkaOptions are the kafka package's own options, typed for checking.
func kafkaOptions() []Option {
	out := make([]Option, 0, len(kafka.Options))
	for _, o := range kafka.Options {
		opt := Option{Name: o.Name, Default: o.Default, Doc: o.Doc, Type: String}
		switch {
		case o.Type == "bool":
			opt.Type = Bool
		case o.Type == "duration":
			opt.Type = Duration
		case strings.HasPrefix(o.Type, "secret"):
			opt.Type = Secret
		case strings.Contains(o.Type, "|"):
			opt.Values = append([]string{""}, strings.Split(o.Type, "|")...)
		}
		if o.Name == "brokers" {
			opt.Required = true
		}
		out = append(out, opt)
	}
	return out
}

// SpecOf returns kind's spec.
func SpecOf(kind Kind) (Spec, bool) {
	for _, s := range Specs() {
		if s.Kind == kind {
			return s, true
		}
	}
	return Spec{}, false
}

func kindNames() string {
	var names []string
	for _, s := range Specs() {
		names = append(names, string(s.Kind))
	}
	return strings.Join(names, ", ")
}

// check validates options against the spec: every key known, every value
// of its type. It runs before a kind's own parser, so every kind reports
// a misspelt key or a bad duration the same way.
func (s Spec) check(opts map[string]string) error {
	for k, v := range opts {
		i := slices.IndexFunc(s.Options, func(o Option) bool { return o.Name == k })
		if i < 0 {
			return fmt.Errorf("%s: unknown option %q; the options are %s", s.Kind, k, s.optionNames())
		}
		o := s.Options[i]
		if strings.HasPrefix(v, "env:") && (o.Type == Secret || o.Name == "sasl_username") {
			continue // resolved by the kind, which knows the variable may be unset
		}
		switch o.Type {
		case Bool:
			if _, err := strconv.ParseBool(v); err != nil {
				return fmt.Errorf("%s: %s: %q is not true or false", s.Kind, k, v)
			}
		case Duration:
			if d, err := time.ParseDuration(v); err != nil || d <= 0 {
				return fmt.Errorf("%s: %s: %q is not a positive duration (e.g. 10s, 500ms)", s.Kind, k, v)
			}
		}
		if o.Values != nil && !slices.ContainsFunc(o.Values, func(x string) bool { return strings.EqualFold(x, v) }) {
			return fmt.Errorf("%s: %s: %q is not one of %s", s.Kind, k, v, strings.Join(nonEmpty(o.Values), ", "))
		}
	}
	for _, o := range s.Options {
		if _, ok := opts[o.Name]; o.Required && !ok {
			return fmt.Errorf("%s: option %s is required", s.Kind, o.Name)
		}
	}
	return nil
}

func (s Spec) optionNames() string {
	names := make([]string, len(s.Options))
	for i, o := range s.Options {
		names[i] = o.Name
	}
	return strings.Join(names, ", ")
}

func nonEmpty(ss []string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

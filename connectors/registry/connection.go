package registry

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/x/mongo/driver/connstring"

	"github.com/weir-stream/weir/connectors"
	"github.com/weir-stream/weir/connectors/kafka"
	"github.com/weir-stream/weir/connectors/mongodb"
)

// Connection is a named, validated connection. Exactly one of File, Kafka
// and Mongo is set, as Kind says. Its String never shows a secret.
type Connection struct {
	Name string
	Kind Kind

	File  connectors.File
	Kafka *kafka.Config
	Mongo mongodb.Config
	// Fallback and PollInterval are the mongodb options for servers
	// without change streams.
	Fallback     string
	PollInterval time.Duration

	// options are the connection as given, secrets as written (env:VAR
	// or the value itself), for Options.
	options map[string]string
}

var nameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]*$`)

func checkName(name string) error {
	if !nameRE.MatchString(name) {
		return fmt.Errorf("%q is not a connection name (letters, digits, _ and -, not starting with a digit)", name)
	}
	return nil
}

// ParseFlag parses --conn NAME=URI.
func ParseFlag(v string) (*Connection, error) {
	name, uri, ok := strings.Cut(v, "=")
	if !ok || name == "" || uri == "" {
		return nil, fmt.Errorf("%q is not NAME=URI (for example default=file:data, k=kafka://127.0.0.1:9092, m=mongodb://127.0.0.1:27017)", redactArg(v))
	}
	return ParseURI(name, uri)
}

// redactArg hides what may be a password in an argument that didn't parse.
func redactArg(v string) string {
	if i := strings.IndexAny(v, "@?"); i >= 0 {
		return v[:i] + "…"
	}
	return v
}

// ParseURI builds connection name from a URI: file:DIR, kafka://… or
// mongodb://… / mongodb+srv://….
func ParseURI(name, uri string) (*Connection, error) {
	if err := checkName(name); err != nil {
		return nil, err
	}
	scheme, rest, _ := strings.Cut(uri, ":")
	var kind Kind
	opts := map[string]string{}
	switch strings.ToLower(scheme) {
	case "file":
		kind = File
		opts["dir"] = strings.TrimPrefix(rest, "//")
	case "kafka":
		kind = Kafka
		hosts, query, _ := strings.Cut(strings.TrimPrefix(rest, "//"), "?")
		if strings.Contains(hosts, "@") {
			return nil, fmt.Errorf("connection %s: kafka: credentials in the URI's user part are not accepted; use sasl_username and sasl_password (env:VAR reads one from the environment)", name)
		}
		opts["brokers"] = strings.TrimSuffix(hosts, "/")
		if err := queryInto(name, kind, query, opts); err != nil {
			return nil, err
		}
	case "mongodb", "mongodb+srv":
		kind = MongoDB
		// weir's own options leave the query; the driver's stay in the URI.
		base, query, _ := strings.Cut(uri, "?")
		var keep []string
		for kv := range strings.SplitSeq(query, "&") {
			if kv == "" {
				continue
			}
			k, v, _ := strings.Cut(kv, "=")
			if isMongoOption(k) {
				uv, err := url.QueryUnescape(v)
				if err != nil {
					return nil, fmt.Errorf("connection %s: mongodb: option %s: %v", name, k, err)
				}
				opts[k] = uv
				continue
			}
			keep = append(keep, kv)
		}
		if len(keep) > 0 {
			base += "?" + strings.Join(keep, "&")
		}
		opts["uri"] = base
	default:
		return nil, fmt.Errorf("connection %s: %q is not a connection URI; use file:DIR, kafka://HOST:PORT or mongodb://HOST:PORT (kinds: %s)", name, redactArg(uri), kindNames())
	}
	return build(name, kind, opts)
}

func isMongoOption(k string) bool {
	spec, _ := SpecOf(MongoDB)
	for _, o := range spec.Options {
		if o.Name == k && k != "uri" {
			return true
		}
	}
	return false
}

func queryInto(name string, kind Kind, query string, opts map[string]string) error {
	q, err := url.ParseQuery(query)
	if err != nil {
		return fmt.Errorf("connection %s: %s: URI options: %v", name, kind, err)
	}
	for k, vs := range q {
		if _, dup := opts[k]; dup {
			return fmt.Errorf("connection %s: %s: %s is the URI's host part, not an option", name, kind, k)
		}
		if len(vs) > 1 {
			return fmt.Errorf("connection %s: %s: option %s is given %d times", name, kind, k, len(vs))
		}
		opts[k] = vs[0]
	}
	return nil
}

// FromOptions builds a connection from CREATE CONNECTION's type and
// options, or a config file's section. Values may be strings, booleans,
// numbers or (brokers) lists; uri, when given, is parsed first and the
// other options are added to it.
func FromOptions(name, kind string, options map[string]any) (*Connection, error) {
	if err := checkName(name); err != nil {
		return nil, err
	}
	opts := map[string]string{}
	var uri string
	for k, v := range options {
		s, err := optionString(v)
		if err != nil {
			return nil, fmt.Errorf("connection %s: option %s: %v", name, k, err)
		}
		if k == "uri" && Kind(strings.ToLower(kind)) != MongoDB {
			uri = s
			continue
		}
		opts[k] = s
	}
	k := Kind(strings.ToLower(kind))
	if uri != "" {
		c, err := ParseURI(name, uri)
		if err != nil {
			return nil, err
		}
		if kind != "" && c.Kind != k {
			return nil, fmt.Errorf("connection %s: type %s, but uri is a %s URI", name, kind, c.Kind)
		}
		for key, v := range opts {
			if _, dup := c.options[key]; dup {
				return nil, fmt.Errorf("connection %s: %s is given both in uri and as an option", name, key)
			}
			c.options[key] = v
		}
		return build(name, c.Kind, c.options)
	}
	if k == MongoDB {
		if u, ok := opts["uri"]; ok && !strings.HasPrefix(u, "env:") {
			// A URI's query may carry weir's options too.
			c, err := ParseURI(name, u)
			if err != nil {
				return nil, err
			}
			for key, v := range opts {
				if key != "uri" {
					c.options[key] = v
				}
			}
			return build(name, MongoDB, c.options)
		}
	}
	if _, ok := SpecOf(k); !ok {
		if kind == "" {
			return nil, fmt.Errorf("connection %s: no type; give type (one of %s) or uri", name, kindNames())
		}
		return nil, fmt.Errorf("connection %s: %q is not a connection type; use one of %s", name, kind, kindNames())
	}
	return build(name, k, opts)
}

func optionString(v any) (string, error) {
	switch t := v.(type) {
	case string:
		return t, nil
	case bool, int, int64, uint64, float64:
		return fmt.Sprint(t), nil
	case []any:
		parts := make([]string, len(t))
		for i, e := range t {
			s, err := optionString(e)
			if err != nil {
				return "", err
			}
			parts[i] = s
		}
		return strings.Join(parts, ","), nil
	case []string:
		return strings.Join(t, ","), nil
	}
	return "", fmt.Errorf("expected a string, number, boolean or list, found %T", v)
}

// build checks opts against kind's spec and makes the connection.
func build(name string, kind Kind, opts map[string]string) (*Connection, error) {
	spec, _ := SpecOf(kind)
	if err := spec.check(opts); err != nil {
		return nil, fmt.Errorf("connection %s: %w", name, err)
	}
	c := &Connection{Name: name, Kind: kind, options: opts}
	switch kind {
	case File:
		dir := opts["dir"]
		if dir == "" {
			return nil, fmt.Errorf("connection %s: file: no directory; use file:DIR", name)
		}
		c.File = connectors.File{Dir: filepath.Clean(dir)}
	case Kafka:
		cfg, err := kafka.FromMap(opts)
		if err != nil {
			return nil, fmt.Errorf("connection %s: %w", name, err)
		}
		cfg.Name = name
		c.Kafka = cfg
	case MongoDB:
		uri, err := resolveEnv(opts["uri"])
		if err != nil {
			return nil, fmt.Errorf("connection %s: mongodb: uri: %w", name, err)
		}
		if p, ok := opts["password"]; ok {
			pw, err := resolveEnv(p)
			if err != nil {
				return nil, fmt.Errorf("connection %s: mongodb: password: %w", name, err)
			}
			if uri, err = withPassword(uri, pw); err != nil {
				return nil, fmt.Errorf("connection %s: mongodb: password: %w", name, err)
			}
		}
		c.Mongo = mongodb.Config{Name: name, URI: uri}
		if v, ok := opts["connect_timeout"]; ok {
			c.Mongo.ConnectTimeout, _ = time.ParseDuration(v)
		}
		c.Fallback = strings.ToLower(opts["fallback"])
		c.PollInterval = time.Second
		if v, ok := opts["poll_interval"]; ok {
			c.PollInterval, _ = time.ParseDuration(v)
		}
		if err := checkMongoURI(uri); err != nil {
			return nil, fmt.Errorf("connection %s: mongodb: %w", name, err)
		}
	}
	return c, nil
}

// checkMongoURI catches a malformed URI at start-up, offline. An SRV URI
// is left to Connect, since checking it looks its name up in DNS.
func checkMongoURI(uri string) error {
	switch {
	case strings.HasPrefix(uri, "mongodb+srv://"):
		return nil
	case !strings.HasPrefix(uri, "mongodb://"):
		return fmt.Errorf("%s is not a MongoDB URI; it must start with mongodb:// or mongodb+srv://", mongodb.Redact(uri))
	}
	if _, err := connstring.ParseAndValidate(uri); err != nil {
		msg := strings.ReplaceAll(err.Error(), uri, mongodb.Redact(uri))
		return fmt.Errorf("invalid URI %s: %s", mongodb.Redact(uri), msg)
	}
	return nil
}

// resolveEnv reads an env:VAR value. An unset or empty variable is an
// error here, at start-up, rather than an authentication failure later.
func resolveEnv(v string) (string, error) {
	name, ok := strings.CutPrefix(v, "env:")
	if !ok {
		return v, nil
	}
	val, set := os.LookupEnv(name)
	if !set {
		return "", fmt.Errorf("environment variable %s is not set", name)
	}
	if val == "" {
		return "", fmt.Errorf("environment variable %s is empty", name)
	}
	return val, nil
}

// withPassword puts pw into a MongoDB URI whose user part names a user.
func withPassword(uri, pw string) (string, error) {
	scheme, rest, ok := strings.Cut(uri, "://")
	if !ok {
		return "", errors.New("the uri is not a URI")
	}
	hostEnd := len(rest)
	if i := strings.IndexAny(rest, "/?"); i >= 0 {
		hostEnd = i
	}
	at := strings.LastIndex(rest[:hostEnd], "@")
	if at < 0 {
		return "", errors.New("the uri names no user (mongodb://USER@HOST/…) for the password")
	}
	user, _, hasPass := strings.Cut(rest[:at], ":")
	if hasPass {
		return "", errors.New("the uri already holds a password")
	}
	return scheme + "://" + user + ":" + url.QueryEscape(pw) + rest[at:], nil
}

// String shows the connection as a URI with its secrets redacted, for
// logs, banners and SHOW CONNECTIONS.
func (c *Connection) String() string {
	switch c.Kind {
	case File:
		return "file:" + c.File.Dir
	case Kafka:
		return c.Kafka.String()
	case MongoDB:
		s := mongodb.Redact(c.Mongo.URI)
		if strings.HasPrefix(c.options["uri"], "env:") {
			s = c.options["uri"]
		}
		var extra []string
		for _, k := range []string{"password", "connect_timeout", "fallback", "poll_interval"} {
			v, ok := c.options[k]
			if !ok {
				continue
			}
			if k == "password" && !strings.HasPrefix(v, "env:") {
				v = "xxxxx"
			}
			extra = append(extra, k+"="+v)
		}
		if len(extra) > 0 {
			s += " (" + strings.Join(extra, ", ") + ")"
		}
		return s
	}
	return string(c.Kind)
}

// Options returns the connection's options as given, with every secret
// that was not an env:VAR reference replaced by "xxxxx": what CREATE
// CONNECTION can persist and SHOW CONNECTIONS can print.
func (c *Connection) Options() map[string]string {
	spec, _ := SpecOf(c.Kind)
	out := map[string]string{}
	keys := make([]string, 0, len(c.options))
	for k := range c.options {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := c.options[k]
		for _, o := range spec.Options {
			if o.Name == k && o.Type == Secret && !strings.HasPrefix(v, "env:") {
				if k == "uri" {
					v = mongodb.Redact(v)
				} else {
					v = "xxxxx"
				}
			}
		}
		out[k] = v
	}
	return out
}

// Address is where the connection points, for error messages: the
// directory, the brokers or the hosts.
func (c *Connection) Address() string {
	switch c.Kind {
	case File:
		return c.File.Dir
	case Kafka:
		return strings.Join(c.Kafka.Brokers, ",")
	case MongoDB:
		return mongodb.Redact(c.Mongo.URI)
	}
	return ""
}

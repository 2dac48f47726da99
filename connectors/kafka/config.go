package kafka

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl/plain"
	"github.com/twmb/franz-go/pkg/sasl/scram"
)

// DefaultPort is used for a broker address given without one, as Kafka's
// own tools do.
const DefaultPort = "9092"

// DefaultDialTimeout bounds one connection attempt, and by default the
// whole start-up check of a source or sink.
const DefaultDialTimeout = 10 * time.Second

// SASL mechanisms a Config accepts.
const (
	Plain       = "PLAIN"
	ScramSHA256 = "SCRAM-SHA-256"
	ScramSHA512 = "SCRAM-SHA-512"
)

var mechanisms = []string{Plain, ScramSHA256, ScramSHA512}

// Options are the keys of a connection, the same in a URI's query, a
// CREATE CONNECTION … (key = value) list and a config file.
var Options = []Option{
	{"brokers", "host:port list", "", "comma-separated bootstrap brokers (the URI's host part); a missing port is " + DefaultPort},
	{"tls", "bool", "false", "connect over TLS (implied by tls_ca and tls_insecure_skip_verify)"},
	{"tls_ca", "path", "", "PEM file of the CA certificates that sign the brokers' certificates; default: the system's"},
	{"tls_insecure_skip_verify", "bool", "false", "accept any broker certificate (tests only)"},
	{"sasl_mechanism", "PLAIN|SCRAM-SHA-256|SCRAM-SHA-512", "", "SASL authentication; needs sasl_username and sasl_password"},
	{"sasl_username", "string or env:VAR", "", "SASL user"},
	{"sasl_password", "secret or env:VAR", "", "SASL password; never printed, env:VAR reads it from the environment"},
	{"dial_timeout", "duration", DefaultDialTimeout.String(), "bound on one connection attempt and on the start-up check"},
}

// Option documents one connection key.
type Option struct{ Name, Type, Default, Doc string }

// Config is a Kafka connection: where the brokers are and how to reach
// them. Build it with ParseURI or FromMap, which validate it.
type Config struct {
	// Name is the connection's name in weir, used in error messages; it
	// may be empty.
	Name    string
	Brokers []string

	TLS                   bool
	TLSCAFile             string
	TLSInsecureSkipVerify bool

	SASLMechanism string
	SASLUsername  string
	SASLPassword  Secret

	DialTimeout time.Duration

	// spec keeps how the user wrote the secret options ("env:VAR"), so
	// String can show where a secret came from without showing it.
	spec map[string]string
	// caPool is tls_ca, read and parsed once by validate.
	caPool *x509.CertPool
}

// Secret is a string that formats as "REDACTED" with every fmt verb, so a
// password can't reach a log through %v or %+v of a struct holding it.
type Secret string

// Reveal returns the secret itself, for the one place that needs it.
func (s Secret) Reveal() string { return string(s) }

func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return "REDACTED"
}

func (s Secret) GoString() string { return strconv.Quote(s.String()) }

func (s Secret) Format(f fmt.State, _ rune) { fmt.Fprint(f, s.String()) }

// ParseURI parses kafka://host:port[,host:port…][?options] (see Options).
// Credentials belong in sasl_username and sasl_password, not in the URI's
// user part, so that env:VAR can keep them out of command lines.
func ParseURI(uri string) (*Config, error) {
	rest, ok := strings.CutPrefix(uri, "kafka://")
	if !ok {
		return nil, fmt.Errorf("kafka: %q is not a kafka://host:port[,host:port…][?options] URI", redactURI(uri))
	}
	hosts, query, _ := strings.Cut(rest, "?")
	hosts = strings.TrimSuffix(hosts, "/")
	if strings.Contains(hosts, "@") {
		return nil, errors.New("kafka: credentials in the URI's user part are not accepted; use sasl_username and sasl_password (env:VAR reads one from the environment)")
	}
	q, err := url.ParseQuery(query)
	if err != nil {
		return nil, fmt.Errorf("kafka: URI options: %v", err)
	}
	m := map[string]string{"brokers": hosts}
	for k, vs := range q {
		if k == "brokers" {
			return nil, errors.New("kafka: brokers are the URI's host part, not an option")
		}
		if len(vs) > 1 {
			return nil, fmt.Errorf("kafka: option %s is given %d times", k, len(vs))
		}
		m[k] = vs[0]
	}
	return FromMap(m)
}

// FromMap builds a Config from key = value pairs: CREATE CONNECTION's list
// or a config file's section. The keys are Options' names.
func FromMap(m map[string]string) (*Config, error) {
	c := &Config{DialTimeout: DefaultDialTimeout, spec: map[string]string{}}
	var tlsSet *bool
	for k, v := range m {
		switch k {
		case "brokers", "bootstrap_servers":
			for b := range strings.SplitSeq(v, ",") {
				if b = strings.TrimSpace(b); b != "" {
					c.Brokers = append(c.Brokers, b)
				}
			}
		case "tls":
			b, err := parseBool(k, v)
			if err != nil {
				return nil, err
			}
			c.TLS, tlsSet = b, &b
		case "tls_ca":
			c.TLSCAFile = v
		case "tls_insecure_skip_verify":
			b, err := parseBool(k, v)
			if err != nil {
				return nil, err
			}
			c.TLSInsecureSkipVerify = b
		case "sasl_mechanism":
			c.SASLMechanism = strings.ToUpper(v)
		case "sasl_username", "sasl_password":
			val, err := resolve(k, v)
			if err != nil {
				return nil, err
			}
			if strings.HasPrefix(v, "env:") {
				c.spec[k] = v
			}
			if k == "sasl_username" {
				c.SASLUsername = val
			} else {
				c.SASLPassword = Secret(val)
			}
		case "dial_timeout":
			d, err := time.ParseDuration(v)
			if err != nil {
				return nil, fmt.Errorf("kafka: dial_timeout: %q is not a duration (e.g. 10s, 500ms)", v)
			}
			c.DialTimeout = d
		default:
			names := make([]string, len(Options))
			for i, o := range Options {
				names[i] = o.Name
			}
			return nil, fmt.Errorf("kafka: unknown option %q; the options are %s", k, strings.Join(names, ", "))
		}
	}
	// tls_ca and tls_insecure_skip_verify only make sense over TLS, so they
	// turn it on, unless the user said tls=false, which validate rejects.
	if tlsSet == nil && (c.TLSCAFile != "" || c.TLSInsecureSkipVerify) {
		c.TLS = true
	}
	if tlsSet != nil && !*tlsSet {
		c.spec["tls"] = "false"
	}
	if err := c.validate(); err != nil {
		return nil, err
	}
	return c, nil
}

func parseBool(k, v string) (bool, error) {
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, fmt.Errorf("kafka: %s: %q is not true or false", k, v)
	}
	return b, nil
}

// resolve reads an env:VAR value from the environment. An unset or empty
// variable is an error: connecting with an empty password would fail later
// with a less helpful message.
func resolve(k, v string) (string, error) {
	name, ok := strings.CutPrefix(v, "env:")
	if !ok {
		return v, nil
	}
	val, set := os.LookupEnv(name)
	if !set {
		return "", fmt.Errorf("kafka: %s: environment variable %s is not set", k, name)
	}
	if val == "" {
		return "", fmt.Errorf("kafka: %s: environment variable %s is empty", k, name)
	}
	return val, nil
}

// validate checks the whole Config at once, so that a mistake is reported
// before anything connects, naming the option at fault.
func (c *Config) validate() error {
	if len(c.Brokers) == 0 {
		return errors.New("kafka: no broker address; give kafka://host:port[,host:port…]")
	}
	for i, b := range c.Brokers {
		host, port, err := net.SplitHostPort(b)
		if err != nil {
			// A bare host (or IPv6 literal in brackets) gets Kafka's port.
			if strings.Contains(strings.Trim(b, "[]"), ":") && !strings.HasPrefix(b, "[") {
				return fmt.Errorf("kafka: broker %q: %v", b, err)
			}
			host, port = strings.Trim(b, "[]"), DefaultPort
			c.Brokers[i] = net.JoinHostPort(host, port)
		}
		if host == "" {
			return fmt.Errorf("kafka: broker %q has no host", b)
		}
		if n, err := strconv.Atoi(port); err != nil || n <= 0 || n > 65535 {
			return fmt.Errorf("kafka: broker %q: port %q is not a number from 1 to 65535", b, port)
		}
	}
	if c.spec["tls"] == "false" && (c.TLSCAFile != "" || c.TLSInsecureSkipVerify) {
		return errors.New("kafka: tls_ca and tls_insecure_skip_verify need tls=true, but tls=false was given")
	}
	if c.TLSCAFile != "" {
		pem, err := os.ReadFile(c.TLSCAFile)
		if err != nil {
			return fmt.Errorf("kafka: tls_ca: %v", err)
		}
		c.caPool = x509.NewCertPool()
		if !c.caPool.AppendCertsFromPEM(pem) {
			return fmt.Errorf("kafka: tls_ca: %s holds no PEM certificate", c.TLSCAFile)
		}
	}
	switch {
	case c.SASLMechanism != "" && !slices.Contains(mechanisms, c.SASLMechanism):
		return fmt.Errorf("kafka: sasl_mechanism: %q is not one of %s", c.SASLMechanism, strings.Join(mechanisms, ", "))
	case c.SASLMechanism != "" && c.SASLUsername == "":
		return fmt.Errorf("kafka: sasl_mechanism %s needs sasl_username", c.SASLMechanism)
	case c.SASLMechanism != "" && c.SASLPassword == "":
		return fmt.Errorf("kafka: sasl_mechanism %s needs sasl_password", c.SASLMechanism)
	case c.SASLMechanism == "" && (c.SASLUsername != "" || c.SASLPassword != ""):
		return fmt.Errorf("kafka: sasl_username and sasl_password need sasl_mechanism (one of %s)", strings.Join(mechanisms, ", "))
	}
	if c.DialTimeout <= 0 {
		return fmt.Errorf("kafka: dial_timeout must be positive, found %s", c.DialTimeout)
	}
	return nil
}

// String is the connection as a URI with the password redacted, for logs
// and SHOW CONNECTIONS. A secret read from the environment shows as its
// env:VAR spelling, which says where it came from and reveals nothing.
func (c *Config) String() string {
	var b strings.Builder
	b.WriteString("kafka://")
	b.WriteString(strings.Join(c.Brokers, ","))
	q := url.Values{}
	if c.TLS {
		q.Set("tls", "true")
	}
	if c.TLSCAFile != "" {
		q.Set("tls_ca", c.TLSCAFile)
	}
	if c.TLSInsecureSkipVerify {
		q.Set("tls_insecure_skip_verify", "true")
	}
	if c.SASLMechanism != "" {
		q.Set("sasl_mechanism", c.SASLMechanism)
	}
	if c.SASLUsername != "" {
		q.Set("sasl_username", cmpOr(c.spec["sasl_username"], c.SASLUsername))
	}
	if c.SASLPassword != "" {
		q.Set("sasl_password", cmpOr(c.spec["sasl_password"], c.SASLPassword.String()))
	}
	if c.DialTimeout != DefaultDialTimeout && c.DialTimeout != 0 {
		q.Set("dial_timeout", c.DialTimeout.String())
	}
	if len(q) > 0 {
		b.WriteByte('?')
		// url.Values.Encode would escape the ':' of env:VAR; the values
		// here are for reading, not for a parser.
		enc := strings.ReplaceAll(q.Encode(), "%3A", ":")
		b.WriteString(enc)
	}
	return b.String()
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// redactURI hides a URI's query, which may hold a password, in an error
// about a URI that didn't parse.
func redactURI(uri string) string {
	if i := strings.IndexAny(uri, "?@"); i >= 0 {
		return uri[:i] + "…"
	}
	return uri
}

// where names the connection in messages: its name when it has one, and
// always its brokers, since that is what the user must check.
func (c *Config) where() string {
	addr := strings.Join(c.Brokers, ",")
	if c.Name != "" {
		return fmt.Sprintf("connection %q at %s", c.Name, addr)
	}
	return addr
}

// clientOpts are the franz-go options for reaching the brokers.
func (c *Config) clientOpts() []kgo.Opt {
	opts := []kgo.Opt{
		kgo.SeedBrokers(c.Brokers...),
		kgo.DialTimeout(c.DialTimeout),
	}
	if c.TLS {
		tc := &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: c.caPool}
		tc.InsecureSkipVerify = c.TLSInsecureSkipVerify //nolint:gosec // the user asked for it by name
		opts = append(opts, kgo.DialTLSConfig(tc))
	}
	user, pass := c.SASLUsername, c.SASLPassword.Reveal()
	switch c.SASLMechanism {
	case Plain:
		opts = append(opts, kgo.SASL(plain.Auth{User: user, Pass: pass}.AsMechanism()))
	case ScramSHA256:
		opts = append(opts, kgo.SASL(scram.Auth{User: user, Pass: pass}.AsSha256Mechanism()))
	case ScramSHA512:
		opts = append(opts, kgo.SASL(scram.Auth{User: user, Pass: pass}.AsSha512Mechanism()))
	}
	return opts
}

// connect makes a client and checks within timeout that a broker answers,
// so that a wrong address or password fails start-up with a message
// instead of franz-go retrying quietly forever in the background. Each
// seed broker is tried once; there is no retry loop.
func (c *Config) connect(ctx context.Context, timeout time.Duration, extra ...kgo.Opt) (*kgo.Client, error) {
	if timeout <= 0 {
		timeout = c.DialTimeout
	}
	cl, err := kgo.NewClient(append(c.clientOpts(), extra...)...)
	if err != nil {
		return nil, fmt.Errorf("kafka: %s: %w", c.where(), err)
	}
	pctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if err := cl.Ping(pctx); err != nil {
		cl.Close()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, c.connectError(err, timeout)
	}
	return cl, nil
}

func (c *Config) connectError(err error, timeout time.Duration) error {
	var netErr net.Error
	switch {
	case errors.Is(err, kerr.SaslAuthenticationFailed), errors.Is(err, kerr.IllegalSaslState),
		errors.Is(err, kerr.UnsupportedSaslMechanism):
		return fmt.Errorf("kafka: SASL %s authentication as %q failed at %s: %w", c.SASLMechanism, c.SASLUsername, c.where(), err)
	case c.SASLMechanism != "" && errors.Is(err, io.EOF):
		// Some brokers (kfake among them) refuse credentials by hanging up
		// rather than with SASL_AUTHENTICATION_FAILED.
		return fmt.Errorf("kafka: SASL %s authentication as %q failed at %s: the broker closed the connection (wrong user or password?): %w", c.SASLMechanism, c.SASLUsername, c.where(), err)
	case errors.As(err, &netErr), errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("kafka: no broker reachable at %s within %s: %w", c.where(), timeout, err)
	default:
		return fmt.Errorf("kafka: cannot talk to a broker at %s: %w", c.where(), err)
	}
}

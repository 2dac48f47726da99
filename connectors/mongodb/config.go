package mongodb

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/event"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"
	"go.mongodb.org/mongo-driver/v2/x/mongo/driver/connstring"
)

// DefaultConnectTimeout bounds Connect when Config.ConnectTimeout is zero.
const DefaultConnectTimeout = 10 * time.Second

// Config is a mongodb connection: any MongoDB URI (mongodb:// or
// mongodb+srv://, with the driver's auth and TLS options) and how long
// connecting may take.
type Config struct {
	// Name is the connection's name in the registry ("mongo"); it only
	// appears in messages.
	Name string
	// URI is the connection string. It may hold a password; String and
	// every error redact it.
	URI string
	// ConnectTimeout bounds Connect: server selection, the TCP connect and
	// the first ping. Zero is DefaultConnectTimeout.
	ConnectTimeout time.Duration
	// Monitor, when set, sees every command the driver sends: for
	// debugging, and for tests that count round trips.
	Monitor *event.CommandMonitor
}

// validate checks the URI's syntax and options without connecting, so a
// typo fails at start-up rather than at the first write.
func (c Config) validate() (*connstring.ConnString, error) {
	if c.URI == "" {
		return nil, fmt.Errorf("%s: a URI is required (mongodb://host:port or mongodb+srv://host)", c.label())
	}
	if !strings.HasPrefix(c.URI, "mongodb://") && !strings.HasPrefix(c.URI, "mongodb+srv://") {
		return nil, fmt.Errorf("%s: %s is not a MongoDB URI; it must start with mongodb:// or mongodb+srv://", c.label(), Redact(c.URI))
	}
	if c.ConnectTimeout < 0 {
		return nil, fmt.Errorf("%s: connect timeout must be positive, found %s", c.label(), c.ConnectTimeout)
	}
	cs, err := connstring.ParseAndValidate(offlineURI(c.URI))
	if err != nil {
		// The driver's parse errors quote the URI they failed on.
		return nil, fmt.Errorf("%s: invalid URI %s: %s", c.label(), Redact(c.URI), redactIn(err.Error(), c.URI))
	}
	return cs, nil
}

// offlineURI is uri in a form the driver's parser checks without a DNS
// lookup: an SRV URI's name resolves when connecting, not when a
// configuration is validated (a laptop without network, CI). Its SRV-only
// options are dropped for the check, as the plain scheme refuses them.
func offlineURI(uri string) string {
	rest, ok := strings.CutPrefix(uri, "mongodb+srv://")
	if !ok {
		return uri
	}
	if p, query, ok := strings.Cut(rest, "?"); ok {
		var keep []string
		for kv := range strings.SplitSeq(query, "&") {
			k, _, _ := strings.Cut(kv, "=")
			if !strings.EqualFold(k, "srvMaxHosts") && !strings.EqualFold(k, "srvServiceName") {
				keep = append(keep, kv)
			}
		}
		rest = p + "?" + strings.Join(keep, "&")
	}
	return "mongodb://" + rest
}

func (c Config) timeout() time.Duration {
	if c.ConnectTimeout == 0 {
		return DefaultConnectTimeout
	}
	return c.ConnectTimeout
}

func (c Config) label() string {
	if c.Name == "" {
		return "mongodb connection"
	}
	return fmt.Sprintf("mongodb connection %q", c.Name)
}

// String shows the connection with its password and secret options
// redacted, so a Config can be logged.
func (c Config) String() string {
	return fmt.Sprintf("%s (%s, connect timeout %s)", c.label(), Redact(c.URI), c.timeout())
}

// Client is a connected, pinged MongoDB client.
type Client struct {
	cfg   Config
	mongo *mongo.Client
}

// Connect connects and pings the primary (or, for a direct connection,
// the one server), failing within the connect timeout with an error that
// names the connection and its hosts. It does not retry on its own beyond
// the driver's server selection within that time: a start-up that can't
// reach its server should say so, not hang.
func Connect(ctx context.Context, cfg Config) (*Client, error) {
	cs, err := cfg.validate()
	if err != nil {
		return nil, err
	}
	timeout := cfg.timeout()
	opts := options.Client().ApplyURI(cfg.URI).
		SetServerSelectionTimeout(timeout).
		SetConnectTimeout(timeout)
	if cfg.Monitor != nil {
		opts.SetMonitor(cfg.Monitor)
	}
	mc, err := mongo.Connect(opts)
	if err != nil {
		return nil, fmt.Errorf("%s: %s", cfg.label(), redactIn(err.Error(), cfg.URI))
	}
	pctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if err := mc.Ping(pctx, readpref.Primary()); err != nil {
		_ = mc.Disconnect(context.Background())
		reason := err.Error()
		if errors.Is(err, context.DeadlineExceeded) || mongo.IsTimeout(err) {
			reason = "no server answered: " + reason
		}
		return nil, fmt.Errorf("%s: cannot reach %s (%s) within %s: %s",
			cfg.label(), strings.Join(cs.Hosts, ","), Redact(cfg.URI), timeout, redactIn(reason, cfg.URI))
	}
	return &Client{cfg: cfg, mongo: mc}, nil
}

// NewClient wraps a driver client connected elsewhere (a program
// embedding weir, a test's mock deployment) as the connection cfg names,
// without Connect's checks; Close disconnects it.
func NewClient(cfg Config, mc *mongo.Client) *Client { return &Client{cfg: cfg, mongo: mc} }

// Mongo is the driver's client, for what this package doesn't wrap.
func (c *Client) Mongo() *mongo.Client { return c.mongo }

// Config is the configuration the client was connected with.
func (c *Client) Config() Config { return c.cfg }

// Close disconnects, waiting for in-flight operations up to ctx.
func (c *Client) Close(ctx context.Context) error { return c.mongo.Disconnect(ctx) }

// secretOptions are URI options whose values are secrets.
var secretOptions = []string{"authmechanismproperties", "tlscertificatekeyfilepassword", "sslclientcertificatekeypassword"}

// Redact returns uri with its password and secret option values replaced
// by "xxxxx". It works on the text rather than a parsed URL because a
// MongoDB URI's host list ("h1:27017,h2:27017") is not a valid URL host.
func Redact(uri string) string {
	scheme, rest, ok := strings.Cut(uri, "://")
	if !ok {
		return "xxxxx" // not a URI: it could be anything, a password included
	}
	path := ""
	if i := strings.IndexAny(rest, "/?"); i >= 0 {
		rest, path = rest[:i], rest[i:]
	}
	if at := strings.LastIndex(rest, "@"); at >= 0 {
		user, _, hasPass := strings.Cut(rest[:at], ":")
		if hasPass {
			rest = user + ":xxxxx" + rest[at:]
		}
	}
	if p, query, ok := strings.Cut(path, "?"); ok {
		params := strings.Split(query, "&")
		for i, kv := range params {
			k, _, _ := strings.Cut(kv, "=")
			for _, s := range secretOptions {
				if strings.EqualFold(k, s) {
					params[i] = k + "=xxxxx"
				}
			}
		}
		path = p + "?" + strings.Join(params, "&")
	}
	return scheme + "://" + rest + path
}

// redactIn replaces any verbatim occurrence of uri (and of its password)
// in a driver message with the redacted form.
func redactIn(msg, uri string) string {
	msg = strings.ReplaceAll(msg, uri, Redact(uri))
	if cs, err := connstring.Parse(offlineURI(uri)); err == nil && cs.Password != "" {
		msg = strings.ReplaceAll(msg, cs.Password, "xxxxx")
	}
	return msg
}

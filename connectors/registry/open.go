package registry

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/weir-stream/weir/connectors"
	"github.com/weir-stream/weir/connectors/kafka"
	"github.com/weir-stream/weir/connectors/mongodb"
	"github.com/weir-stream/weir/planner/mql"
)

// ErrUnsupported marks a stage a connection kind can't serve (yet): a
// $merge with a whenMatched pipeline, $emit to a time series, a Kafka
// $lookup. errors.Is finds it, so a caller can fall back to another
// runner or say so.
var ErrUnsupported = errors.ErrUnsupported

// OpenOptions are what opening connectors for a processor needs beyond
// the pipeline.
type OpenOptions struct {
	// Processor is the processor's name: a Kafka source's consumer group
	// is weir-<Processor> unless $source.config.group_id names one.
	Processor string
	// Ephemeral reads Kafka without a consumer group and commits nothing:
	// for queries (ASP's sp.process), which must leave no group behind.
	Ephemeral bool
	// CreateTopics creates missing Kafka source topics instead of failing
	// (the playground).
	CreateTopics bool
	// ConnectTimeout, when set, bounds every connection's start-up check
	// instead of its own connect/dial timeout.
	ConnectTimeout time.Duration
	// Logger receives notices (a change stream falling back to polling);
	// nil is slog.Default().
	Logger *slog.Logger
	// MergeFuncs evaluates what a $merge with a whenMatched pipeline or
	// action expressions leaves to the engine (exec.MergeFuncs); this
	// package stays free of the evaluator. Without it such a $merge is
	// refused.
	MergeFuncs func(*mql.Merge) (connectors.MergeFuncs, error)
}

// Opened is a processor's connectors, by the keys exec.BuildEnv takes:
// copy Sources, Sinks, Lookups, DLQ and Connections into it. Close
// closes them all and the clients behind them.
type Opened struct {
	Sources map[string]connectors.Source
	Sinks   map[string]connectors.Sink
	Lookups map[mql.Namespace]connectors.Lookup
	// DLQ is set when the processor has options.dlq.
	DLQ connectors.Sink
	// Connections are the registry's names, for the runtime's rule that a
	// stage without connectionName uses "default", else the only one.
	Connections []string
	// Notices are start-up messages worth showing beside the processor
	// (a poll fallback).
	Notices []string

	reg     *Registry
	opts    OpenOptions
	mu      sync.Mutex
	clients map[string]*mongodb.Client
	closers []func() error
}

// Open opens every connector p's stages need: its $source, its $lookup
// targets, its $merge or $emit, and its DLQ. Each connection is checked
// within its connect timeout, and an error names the stage, the
// connection and its address. On error what was opened is closed.
func (r *Registry) Open(ctx context.Context, p *mql.Processor, o OpenOptions) (_ *Opened, err error) {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	op := &Opened{
		Sources: map[string]connectors.Source{}, Sinks: map[string]connectors.Sink{},
		Lookups: map[mql.Namespace]connectors.Lookup{}, Connections: r.Names(),
		reg: r, opts: o, clients: map[string]*mongodb.Client{},
	}
	defer func() {
		if err != nil {
			op.Close()
		}
	}()
	for i, s := range p.Pipeline {
		path := fmt.Sprintf("pipeline[%d].%s", i, s.Op())
		switch s := s.(type) {
		case *mql.Source:
			if s.Kind == mql.DocumentsSource {
				continue
			}
			c, err := r.Resolve(s.ConnectionName)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", path, err)
			}
			src, err := op.source(ctx, c, s)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", path, err)
			}
			op.Sources[c.Name] = src
		case *mql.Lookup:
			if s.From == nil {
				continue // the runtime says what it lacks
			}
			if err := op.addLookup(ctx, r, *s.From); err != nil {
				return nil, fmt.Errorf("%s: %w", path, err)
			}
		case *mql.CachedLookup:
			// The runtime puts its cache in front of the plain lookup.
			if err := op.addLookup(ctx, r, s.From); err != nil {
				return nil, fmt.Errorf("%s: %w", path, err)
			}
		case *mql.Merge:
			c, err := r.Resolve(s.Into.ConnectionName)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", path, err)
			}
			sink, err := op.merge(ctx, c, s)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", path, err)
			}
			op.Sinks[c.Name] = sink
		case *mql.Emit:
			c, err := r.Resolve(s.ConnectionName)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", path, err)
			}
			sink, err := op.emit(ctx, c, s)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", path, err)
			}
			op.Sinks[c.Name] = sink
		}
	}
	if d := p.Options.DLQ; d != nil {
		c, err := r.Resolve(d.ConnectionName)
		if err != nil {
			return nil, fmt.Errorf("options.dlq: %w", err)
		}
		sink, err := op.dlq(ctx, c, d.DB, d.Coll)
		if err != nil {
			return nil, fmt.Errorf("options.dlq: %w", err)
		}
		op.DLQ = sink
	}
	return op, nil
}

// Close closes every connector, then the clients they share.
func (op *Opened) Close() error {
	op.mu.Lock()
	defer op.mu.Unlock()
	var errs []error
	for i := len(op.closers) - 1; i >= 0; i-- {
		if err := op.closers[i](); err != nil {
			errs = append(errs, err)
		}
	}
	op.closers = nil
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, c := range op.clients {
		if err := c.Close(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	op.clients = map[string]*mongodb.Client{}
	return errors.Join(errs...)
}

func (op *Opened) closeLater(f func() error) {
	op.mu.Lock()
	defer op.mu.Unlock()
	op.closers = append(op.closers, f)
}

// mongo returns the connection's client, connecting the first time: one
// client serves every stage of the processor on that connection.
func (op *Opened) mongo(ctx context.Context, c *Connection) (*mongodb.Client, error) {
	op.mu.Lock()
	defer op.mu.Unlock()
	if cl, ok := op.clients[c.Name]; ok {
		return cl, nil
	}
	cfg := c.Mongo
	if op.opts.ConnectTimeout > 0 {
		cfg.ConnectTimeout = op.opts.ConnectTimeout
	}
	cl, err := mongoConnect(ctx, cfg)
	if err != nil {
		return nil, err
	}
	op.clients[c.Name] = cl
	return cl, nil
}

// mongoConnect connects a MongoDB connection; tests put a scripted
// server behind it.
var mongoConnect = mongodb.Connect

func unsupported(c *Connection, what string) error {
	return fmt.Errorf("connection %s (%s): %w: a %s connection does not serve %s", c.Name, c.Kind, ErrUnsupported, c.Kind, what)
}

// source opens the $source: topics (file streams or Kafka) or a change
// stream (file collections or MongoDB).
func (op *Opened) source(ctx context.Context, c *Connection, s *mql.Source) (connectors.Source, error) {
	switch {
	case c.Kind == File && s.Kind == mql.KafkaSource:
		src, err := c.File.OpenStreams(s.Topics)
		if err != nil {
			return nil, fmt.Errorf("connection %s: %w", c.Name, err)
		}
		return src, nil
	case c.Kind == File && s.Kind == mql.ChangeStreamSource:
		src, err := c.File.OpenCollections(s.DB, s.Colls, s.FullDocumentOnly())
		if err != nil {
			return nil, fmt.Errorf("connection %s: %w", c.Name, err)
		}
		return src, nil
	case c.Kind == Kafka && s.Kind == mql.KafkaSource:
		so := kafka.SourceOptions{Topics: s.Topics, CreateTopics: op.opts.CreateTopics, ConnectTimeout: op.opts.ConnectTimeout}
		if cfg := s.KafkaConfig; cfg != nil {
			so.AutoOffsetReset = cfg.AutoOffsetReset
			so.GroupID = cfg.GroupID
			so.KeyFormat = cfg.KeyFormat
			so.KeyFormatError = cfg.KeyFormatError
		}
		if so.GroupID == "" && !op.opts.Ephemeral && op.opts.Processor != "" {
			so.GroupID = kafka.DefaultGroupID(op.opts.Processor)
		}
		if op.opts.Ephemeral {
			so.GroupID = ""
		}
		if d := s.PartitionIdleTimeout; d != nil {
			so.PartitionIdleTimeout = durationOf(*d)
		}
		src, err := kafka.NewSource(ctx, c.Kafka, so)
		if err != nil {
			return nil, err
		}
		op.closeLater(src.Close)
		return src, nil
	case c.Kind == MongoDB && s.Kind == mql.ChangeStreamSource:
		so, err := mongodb.SourceOptionsFor(s)
		if err != nil {
			return nil, err
		}
		// $source.config.fallback wins over the connection's fallback
		// option (which the playground sets to poll).
		if so.Fallback == "" {
			so.Fallback = c.Fallback
		}
		so.PollInterval, so.Logger = c.PollInterval, op.opts.Logger
		cl, err := op.mongo(ctx, c)
		if err != nil {
			return nil, err
		}
		src, err := mongodb.OpenSource(ctx, cl, so)
		if err != nil {
			return nil, fmt.Errorf("connection %s: %w", c.Name, err)
		}
		if n := src.Notice(); n != "" {
			op.Notices = append(op.Notices, "connection "+c.Name+": "+n)
		}
		op.closeLater(src.Close)
		return src, nil
	}
	return nil, unsupported(c, "a "+s.Kind.String()+" $source")
}

func (op *Opened) lookup(ctx context.Context, c *Connection, db, coll string) (connectors.Lookup, error) {
	switch c.Kind {
	case File:
		l, err := c.File.OpenLookup(db, coll)
		if err != nil {
			return nil, fmt.Errorf("connection %s: %w", c.Name, err)
		}
		return l, nil
	case MongoDB:
		cl, err := op.mongo(ctx, c)
		if err != nil {
			return nil, err
		}
		return mongodb.NewLookup(cl, db, coll), nil
	}
	return nil, unsupported(c, "$lookup (a lookup reads a collection)")
}

func (op *Opened) merge(ctx context.Context, c *Connection, m *mql.Merge) (connectors.Sink, error) {
	var funcs connectors.MergeFuncs
	if m.WhenMatched.Pipeline != nil || m.WhenMatched.Expr != nil || m.WhenNotMatched.Expr != nil {
		if op.opts.MergeFuncs == nil {
			return nil, fmt.Errorf("connection %s: %w: $merge with a whenMatched pipeline or an action expression needs the engine's evaluator (OpenOptions.MergeFuncs)", c.Name, ErrUnsupported)
		}
		var err error
		if funcs, err = op.opts.MergeFuncs(m); err != nil {
			return nil, err
		}
	}
	switch c.Kind {
	case File:
		wm := m.WhenMatched.Name
		if m.WhenMatched.Pipeline != nil {
			wm = "pipeline"
		}
		sink, err := c.File.NewMerge(connectors.MergeOptions{
			DB: m.Into.DB.Name, Coll: m.Into.Coll.Name, On: m.On,
			WhenMatched: wm, WhenNotMatched: m.WhenNotMatched.Name, Label: c.Name,
			MergeFuncs: funcs,
		})
		if err != nil {
			return nil, fmt.Errorf("connection %s: %w", c.Name, err)
		}
		return sink, nil
	case MongoDB:
		cl, err := op.mongo(ctx, c)
		if err != nil {
			return nil, err
		}
		mo := mongodb.MergeOptionsFor(m)
		mo.Update, mo.Actions = funcs.Update, funcs.Actions
		sink, err := mongodb.NewMerge(cl, mo)
		if err != nil {
			return nil, fmt.Errorf("connection %s: %w", c.Name, err)
		}
		op.closeLater(sink.Close)
		return sink, nil
	}
	return nil, unsupported(c, "$merge (it writes to collections; use $emit for a topic)")
}

func (op *Opened) emit(ctx context.Context, c *Connection, e *mql.Emit) (connectors.Sink, error) {
	if e.Kind != mql.KafkaEmit {
		return nil, fmt.Errorf("connection %s: %w: $emit to a time series or S3 is not run yet", c.Name, ErrUnsupported)
	}
	switch c.Kind {
	case File:
		return c.File.NewEmit(e.Topic.Name), nil
	case Kafka:
		so := kafka.SinkOptions{Topic: e.Topic.Name, ConnectTimeout: op.opts.ConnectTimeout}
		if cfg := e.Config; cfg != nil {
			so.Acks, so.Compression, so.OutputFormat = cfg.Acks, cfg.CompressionType, cfg.OutputFormat
			if cfg.Key != nil || cfg.Headers != nil || cfg.TombstoneWhen != nil {
				return nil, fmt.Errorf("connection %s: %w: $emit.config key, headers and tombstoneWhen are not computed by the streaming runtime yet", c.Name, ErrUnsupported)
			}
		}
		sink, err := kafka.NewSink(ctx, c.Kafka, so)
		if err != nil {
			return nil, err
		}
		op.closeLater(sink.Close)
		return sink, nil
	}
	return nil, unsupported(c, "$emit (it writes to topics; use $merge for a collection)")
}

func (op *Opened) dlq(ctx context.Context, c *Connection, db, coll string) (connectors.Sink, error) {
	switch c.Kind {
	case File:
		return c.File.NewAppend(db, coll), nil
	case MongoDB:
		cl, err := op.mongo(ctx, c)
		if err != nil {
			return nil, err
		}
		// The runtime shapes the dead letters; the connector inserts
		// them, retrying what may succeed again, idempotently.
		return mongodb.NewDLQSink(cl, db, coll), nil
	}
	return nil, unsupported(c, "a dead-letter queue (it is a collection)")
}

// durationOf converts an MQL duration ({size, unit}).
func durationOf(d mql.Duration) time.Duration {
	unit := map[string]time.Duration{"ms": time.Millisecond, "second": time.Second, "minute": time.Minute, "hour": time.Hour, "day": 24 * time.Hour}[d.Unit]
	return time.Duration(d.Size) * unit
}

// addLookup opens the lookup for a $lookup's or $cachedLookup's from, once
// per collection however many stages read it.
func (op *Opened) addLookup(ctx context.Context, r *Registry, from mql.Namespace) error {
	c, err := r.Resolve(from.ConnectionName)
	if err != nil {
		return err
	}
	ns := mql.Namespace{ConnectionName: c.Name, DB: from.DB, Coll: from.Coll}
	if _, ok := op.Lookups[ns]; ok {
		return nil
	}
	l, err := op.lookup(ctx, c, ns.DB, ns.Coll)
	if err != nil {
		return err
	}
	op.Lookups[ns] = l
	return nil
}

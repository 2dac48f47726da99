package exec

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/weir-stream/weir/connectors"
	"github.com/weir-stream/weir/connectors/registry"
	"github.com/weir-stream/weir/planner/mql"
)

// Engine is what `weir serve`, the playground and `weir run` drive: the
// registry of connections, the named stream processors with their states
// and counters, ad-hoc queries, and foreground runs (Run). Connections and
// processors are written under StateDir as one JSON file each (written
// atomically), and OpenEngine brings them back in the state they had,
// restarting the processors that were STARTED; a processor's runs keep
// checkpoints under StateDir/checkpoints/NAME, so a restarted processor
// resumes its windows and source positions rather than starting over.
//
// Running goes through one function, engRun: the streaming runtime
// (Build/Run) over connectors the connection registry opens, for every
// kind of connection. A processor over a live source runs until STOP,
// DROP or Close; one over file connections reads its input to the end and
// becomes STOPPED. Pipelines the runtime refuses run on the reference
// runner when they use file connections only, as `weir run` does.
type Engine struct {
	cfg EngineConfig
	log *slog.Logger

	mu    sync.Mutex
	conns map[string]*Connection
	// regs are the connections as the registry opens them, by name.
	regs  map[string]*registry.Connection
	procs map[string]*engProc
	// wg counts running processors, so Close waits for them.
	wg     sync.WaitGroup
	closed bool
}

// EngineConfig configures OpenEngine.
type EngineConfig struct {
	// StateDir holds connections/ and processors/; "" keeps state in
	// memory only.
	StateDir string
	// Files are connections bound on the command line (--conn NAME=file:DIR).
	// They are not persisted: the command line binds them again.
	Files map[string]connectors.File
	// Registry holds connections of any kind bound on the command line
	// (--conn, --config) or by the embedding program (the playground).
	// They are not persisted either; the engine copies them at open.
	Registry *registry.Registry
	// CreateTopics creates missing Kafka source topics instead of failing
	// (the playground).
	CreateTopics bool
	// ConnectTimeout, when set, bounds reaching each connection when a
	// processor or query starts.
	ConnectTimeout time.Duration
	// Tick and FlushEvery are the runtime's (BuildEnv); 0 is its default.
	Tick, FlushEvery time.Duration
	// MemoryLimit bounds each run's operator state in bytes (BuildEnv's);
	// 0 is DefaultMemoryLimit, negative is unlimited.
	MemoryLimit int64
	// Logger receives lifecycle events; nil discards them.
	Logger *slog.Logger
	// Now is the processing-time clock; nil is time.Now.
	Now func() time.Time
}

// DefaultMemoryLimit bounds a processor's or a query's operator state
// (window rows, groups, $setWindowFields history) unless the engine is
// configured otherwise (--memory-limit): past it the run fails with an
// error naming the operator, rather than the process running out of
// memory.
const DefaultMemoryLimit = 1 << 30

// memoryLimit is the MemoryLimit a run gets: BuildEnv's 0 is unlimited.
func (c EngineConfig) memoryLimit() int64 {
	switch {
	case c.MemoryLimit == 0:
		return DefaultMemoryLimit
	case c.MemoryLimit < 0:
		return 0
	}
	return c.MemoryLimit
}

// Errors the engine returns, wrapped with the name concerned; pgwire maps
// them to SQLSTATEs with errors.Is.
var (
	ErrNotFound     = errors.New("does not exist")
	ErrExists       = errors.New("already exists")
	ErrUnsupported  = errors.New("not supported")
	ErrInvalidState = errors.New("invalid state")
	ErrInvalid      = errors.New("invalid")
)

// Connection is a registered connection: from CREATE CONNECTION or --conn.
type Connection struct {
	Name string `json:"name"`
	// Type is "file", "kafka" or "mongodb".
	Type    string         `json:"type"`
	Options map[string]any `json:"options,omitempty"`
	// Origin is "sql" (CREATE CONNECTION, persisted) or "flag" (--conn).
	Origin  string    `json:"origin"`
	Created time.Time `json:"created"`
}

// ProcessorState is a stream processor's lifecycle state.
type ProcessorState string

// The processor states, as ASP names them.
const (
	StateCreated ProcessorState = "CREATED"
	StateStarted ProcessorState = "STARTED"
	StateStopped ProcessorState = "STOPPED"
	StateFailed  ProcessorState = "FAILED"
)

// ProcessorInfo is a snapshot of one processor.
type ProcessorInfo struct {
	Name      string
	State     ProcessorState
	Processor *mql.Processor
	In, Out   int64
	DLQ       int64
	// Watermark is zero until the runtime reports one.
	Watermark time.Time
	// Lag is the messages its source has not read yet, while it runs and
	// its source knows (Kafka); LagKnown says so.
	Lag       int64
	LagKnown  bool
	LastError string
	Created   time.Time
	Changed   time.Time
}

// engProc is a processor with what is persisted about it and, while it
// runs, the function that stops it and the runtime's processor, whose
// counters SHOW STREAM PROCESSORS reads live.
type engProc struct {
	rec  engProcRecord
	proc *mql.Processor
	stop context.CancelFunc
	done chan struct{}
	// ready is closed once the run has opened its connectors and built
	// its pipeline, or has ended.
	ready chan struct{}
	live  *Processor
}

// engProcRecord is a processor's JSON file under processors/.
type engProcRecord struct {
	Name      string          `json:"name"`
	State     ProcessorState  `json:"state"`
	Pipeline  json.RawMessage `json:"pipeline"`
	In        int64           `json:"in"`
	Out       int64           `json:"out"`
	DLQ       int64           `json:"dlq"`
	Watermark time.Time       `json:"watermark,omitzero"`
	LastError string          `json:"lastError,omitempty"`
	Created   time.Time       `json:"created"`
	Changed   time.Time       `json:"changed"`
}

// OpenEngine loads the state directory and restarts the processors that
// were STARTED when the previous engine stopped.
func OpenEngine(cfg EngineConfig) (*Engine, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	e := &Engine{cfg: cfg, log: cfg.Logger, conns: map[string]*Connection{}, regs: map[string]*registry.Connection{}, procs: map[string]*engProc{}}
	if e.log == nil {
		e.log = slog.New(slog.DiscardHandler)
	}
	for name, f := range cfg.Files {
		e.conns[name] = &Connection{Name: name, Type: "file", Options: map[string]any{"dir": f.Dir}, Origin: "flag", Created: cfg.Now()}
		e.regs[name] = &registry.Connection{Name: name, Kind: registry.File, File: f}
	}
	if cfg.Registry != nil {
		for _, name := range cfg.Registry.Names() {
			c, _ := cfg.Registry.Get(name)
			e.conns[name] = &Connection{Name: name, Type: string(c.Kind), Options: engOptions(c), Origin: "flag", Created: cfg.Now()}
			e.regs[name] = c
		}
	}
	if cfg.StateDir == "" {
		return e, nil
	}
	for _, sub := range []string{"connections", "processors"} {
		if err := os.MkdirAll(filepath.Join(cfg.StateDir, sub), 0o755); err != nil {
			return nil, fmt.Errorf("state directory: %w", err)
		}
	}
	if err := engReadDir(filepath.Join(cfg.StateDir, "connections"), func(path string, data []byte) error {
		var c Connection
		if err := json.Unmarshal(data, &c); err != nil {
			return err
		}
		if _, bound := e.conns[c.Name]; bound {
			// The command line wins over a stored connection of the same
			// name, so a moved directory can be rebound without SQL.
			e.log.Warn("connection bound by --conn hides the stored one", "connection", c.Name)
			return nil
		}
		rc, err := registry.FromOptions(c.Name, c.Type, c.Options)
		if err == nil && engRedacted(c.Options) {
			err = errors.New("a secret was written literally and is not stored; create the connection again, or give the secret as env:VAR")
		}
		if err != nil {
			// A secret written literally is stored redacted: such a
			// connection is listed but can't be opened until it is
			// created again (env:VAR references survive restarts).
			e.log.Error("stored connection can't be opened", "connection", c.Name, "err", err)
		} else {
			e.regs[c.Name] = rc
		}
		e.conns[c.Name] = &c
		return nil
	}); err != nil {
		return nil, err
	}
	var restart []string
	if err := engReadDir(filepath.Join(cfg.StateDir, "processors"), func(path string, data []byte) error {
		var r engProcRecord
		if err := json.Unmarshal(data, &r); err != nil {
			return err
		}
		p, _, err := mql.Decode(r.Pipeline)
		if err != nil {
			return fmt.Errorf("processor %s: %w", r.Name, err)
		}
		p.Name = r.Name
		e.procs[r.Name] = &engProc{rec: r, proc: p}
		if r.State == StateStarted {
			restart = append(restart, r.Name)
		}
		return nil
	}); err != nil {
		return nil, err
	}
	sort.Strings(restart)
	for _, name := range restart {
		e.mu.Lock()
		err := e.engStartLocked(e.procs[name])
		e.mu.Unlock()
		if err != nil {
			e.log.Error("restarting processor", "processor", name, "err", err)
		} else {
			e.log.Info("restarted processor", "processor", name)
		}
	}
	return e, nil
}

// engReadDir calls fn for each .json file of dir, in name order.
func engReadDir(dir string, fn func(path string, data []byte) error) error {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("state directory: %w", err)
	}
	for _, ent := range ents {
		if ent.IsDir() || !strings.HasSuffix(ent.Name(), ".json") {
			continue
		}
		path := filepath.Join(dir, ent.Name())
		data, err := os.ReadFile(path)
		if err != nil {
			return fmt.Errorf("state directory: %w", err)
		}
		if err := fn(path, data); err != nil {
			return fmt.Errorf("state file %s: %w", path, err)
		}
	}
	return nil
}

// engWriteJSON writes v to path atomically: a crash leaves the old file or
// the new one, never half of either.
func engWriteJSON(path string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	_, err = tmp.Write(append(data, '\n'))
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
	return err
}

// engFileName keeps any name (quoted identifiers hold any character) a
// safe single path element.
func engFileName(name string) string {
	var b strings.Builder
	for _, r := range name {
		if r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' {
			b.WriteRune(r)
		} else {
			fmt.Fprintf(&b, "%%%04x", r)
		}
	}
	return b.String() + ".json"
}

func (e *Engine) engStatePath(kind, name string) string {
	if e.cfg.StateDir == "" {
		return ""
	}
	return filepath.Join(e.cfg.StateDir, kind, engFileName(name))
}

// engCheckpointDir is where a processor's runs keep their checkpoints:
// StateDir/checkpoints/NAME/CREATED, so a replaced processor (CREATE OR
// REPLACE) starts afresh rather than from its predecessor's state, whose
// directory this removes. "" without a StateDir.
func (e *Engine) engCheckpointDir(r engProcRecord) string {
	base := e.engStatePath("checkpoints", r.Name)
	if base == "" {
		return ""
	}
	gen := strconv.FormatInt(r.Created.UnixNano(), 10)
	if old, err := os.ReadDir(base); err == nil {
		for _, d := range old {
			if d.Name() != gen {
				os.RemoveAll(filepath.Join(base, d.Name()))
			}
		}
	}
	return filepath.Join(base, gen)
}

// CreateConnection registers a connection and persists it. typ is "file",
// "kafka" or "mongodb"; the options are the registry's (docs/connections.md):
// a file connection needs dir, a Kafka one brokers (or uri), a MongoDB one
// uri. Secrets are persisted redacted, so one written literally lasts until
// the engine stops; env:VAR references last across restarts.
func (e *Engine) CreateConnection(name, typ string, options map[string]any) error {
	typ = strings.ToLower(typ)
	switch typ {
	case "file":
		if dir, _ := options["dir"].(string); dir == "" {
			return fmt.Errorf("connection %s: %w: a FILE connection needs dir = 'DIRECTORY'", name, ErrInvalid)
		}
	case "kafka", "mongodb":
	default:
		return fmt.Errorf("connection %s: %w: type %q (use FILE, KAFKA or MONGODB)", name, ErrUnsupported, typ)
	}
	rc, err := registry.FromOptions(name, typ, options)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, ok := e.conns[name]; ok {
		return fmt.Errorf("connection %q %w", name, ErrExists)
	}
	c := &Connection{Name: name, Type: typ, Options: engOptions(rc), Origin: "sql", Created: e.cfg.Now()}
	if path := e.engStatePath("connections", name); path != "" {
		if err := engWriteJSON(path, c); err != nil {
			return fmt.Errorf("connection %s: saving: %w", name, err)
		}
	}
	e.conns[name] = c
	e.regs[name] = rc
	e.log.Info("created connection", "connection", name, "type", typ)
	return nil
}

// engOptions are a registry connection's options with secrets redacted:
// what is persisted and shown.
func engOptions(c *registry.Connection) map[string]any {
	opts := map[string]any{}
	for k, v := range c.Options() {
		opts[k] = v
	}
	if c.Kind == registry.File && c.File.Dir != "" {
		opts["dir"] = c.File.Dir
	}
	return opts
}

// engRedacted reports whether stored options hold a secret that
// Connection.Options replaced by xxxxx.
func engRedacted(opts map[string]any) bool {
	for _, v := range opts {
		if s, ok := v.(string); ok && strings.Contains(s, "xxxxx") {
			return true
		}
	}
	return false
}

// engRegistry is a snapshot of the connections for one run: Registry is
// not safe for concurrent changes, and CREATE CONNECTION may run while
// processors open theirs.
func (e *Engine) engRegistry() *registry.Registry {
	e.mu.Lock()
	defer e.mu.Unlock()
	reg := registry.New()
	for _, c := range e.regs {
		reg.Add(c)
	}
	return reg
}

// Connections lists the registered connections by name.
func (e *Engine) Connections() []Connection {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]Connection, 0, len(e.conns))
	for _, c := range e.conns {
		out = append(out, *c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// CreateProcessor stores a named processor in state CREATED. With
// orReplace, an existing processor of that name is stopped and replaced.
func (e *Engine) CreateProcessor(p *mql.Processor, orReplace bool) error {
	if p.Name == "" {
		return fmt.Errorf("%w: a stream processor needs a name", ErrInvalid)
	}
	pipeline, err := mql.Encode(p, true)
	if err != nil {
		return fmt.Errorf("processor %s: %w", p.Name, err)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, ok := e.procs[p.Name]; ok && !orReplace {
		return fmt.Errorf("stream processor %q %w", p.Name, ErrExists)
	}
	// The run being replaced ends before its successor exists: its final
	// checkpoint and its record must not land after the new processor's
	// (its record would bring the old pipeline back at the next start).
	e.engStopWaitLocked(p.Name)
	now := e.cfg.Now()
	ep := &engProc{proc: p, rec: engProcRecord{Name: p.Name, State: StateCreated, Pipeline: pipeline, Created: now, Changed: now}}
	if err := e.engSaveLocked(ep); err != nil {
		return err
	}
	e.procs[p.Name] = ep
	e.log.Info("created processor", "processor", p.Name)
	return nil
}

func (e *Engine) engSaveLocked(ep *engProc) error {
	path := e.engStatePath("processors", ep.rec.Name)
	if path == "" {
		return nil
	}
	if err := engWriteJSON(path, ep.rec); err != nil {
		return fmt.Errorf("processor %s: saving: %w", ep.rec.Name, err)
	}
	return nil
}

func (e *Engine) engGetLocked(name string) (*engProc, error) {
	ep, ok := e.procs[name]
	if !ok {
		return nil, fmt.Errorf("stream processor %q %w", name, ErrNotFound)
	}
	return ep, nil
}

// StartProcessor starts a CREATED, STOPPED or FAILED processor.
func (e *Engine) StartProcessor(name string) error {
	e.mu.Lock()
	ep, err := e.engGetLocked(name)
	if err != nil {
		e.mu.Unlock()
		return err
	}
	if ep.stop != nil {
		e.mu.Unlock()
		return fmt.Errorf("stream processor %q: %w: it is already running", name, ErrInvalidState)
	}
	if err := e.engStartLocked(ep); err != nil {
		e.mu.Unlock()
		return err
	}
	ready := ep.ready
	e.mu.Unlock()
	// START answers once the connectors are open and the pipeline built,
	// so an unreachable broker or a pipeline the runtime refuses is the
	// statement's error (the processor is FAILED with it, too).
	select {
	case <-ready:
	case <-time.After(engStartWait):
		return nil
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if ep.rec.State == StateFailed {
		return fmt.Errorf("stream processor %q: %w: %s", name, ErrInvalidState, ep.rec.LastError)
	}
	return nil
}

// engStartWait bounds how long START waits for a processor's connectors.
const engStartWait = 30 * time.Second

// engStartLocked marks ep STARTED, persists that (so a restart resumes
// it), and runs it in the background.
func (e *Engine) engStartLocked(ep *engProc) error {
	if e.closed {
		return fmt.Errorf("%w: the engine is shutting down", ErrInvalidState)
	}
	ep.rec.State, ep.rec.LastError, ep.rec.Changed = StateStarted, "", e.cfg.Now()
	if err := e.engSaveLocked(ep); err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	ep.stop, ep.done, ep.ready = cancel, make(chan struct{}), make(chan struct{})
	ready := sync.OnceFunc(func() { close(ep.ready) })
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		defer close(ep.done)
		defer ready()
		st, err := e.engRun(ctx, ep.proc, nil, RunOptions{
			CheckpointDir: e.engCheckpointDir(ep.rec),
			Started: func(p *Processor) {
				e.mu.Lock()
				ep.live = p
				e.mu.Unlock()
				ready()
			},
		})
		e.mu.Lock()
		defer e.mu.Unlock()
		ep.live = nil
		ep.rec.In, ep.rec.Out, ep.rec.DLQ = st.In, st.Out, st.DLQ
		if engWatermarkKnown(st.Watermark) {
			ep.rec.Watermark = st.Watermark
		}
		ep.rec.Changed = e.cfg.Now()
		switch {
		case err != nil && ctx.Err() == nil:
			ep.rec.State, ep.rec.LastError = StateFailed, err.Error()
			e.log.Error("processor failed", "processor", ep.rec.Name, "err", err)
		case ctx.Err() != nil && e.closed:
			// Shutting down: keep STARTED on disk so the next engine
			// resumes the processor.
		default:
			ep.rec.State = StateStopped
		}
		ep.stop = nil
		if e.procs[ep.rec.Name] != ep {
			// Dropped or replaced: its record is gone or another's.
			return
		}
		if serr := e.engSaveLocked(ep); serr != nil {
			e.log.Error("saving processor state", "processor", ep.rec.Name, "err", serr)
		}
	}()
	e.log.Info("started processor", "processor", ep.rec.Name)
	return nil
}

// StopProcessor stops a running processor; stopping one that is not
// running only records the state.
func (e *Engine) StopProcessor(name string) error {
	e.mu.Lock()
	ep, err := e.engGetLocked(name)
	if err != nil {
		e.mu.Unlock()
		return err
	}
	done := e.engStopLocked(ep)
	e.mu.Unlock()
	if done != nil {
		<-done
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.procs[name] != ep {
		// Dropped or replaced while it stopped: nothing left to record.
		return nil
	}
	ep.rec.State, ep.rec.Changed = StateStopped, e.cfg.Now()
	return e.engSaveLocked(ep)
}

// engWatermarkKnown reports whether w is a watermark worth showing: not
// zero, and not the end of time a bounded input closes its windows with.
func engWatermarkKnown(w time.Time) bool {
	return !w.IsZero() && w.Before(stForever)
}

// engStopLocked cancels ep's run and returns the channel closed when it has
// ended (nil if it was not running).
func (e *Engine) engStopLocked(ep *engProc) chan struct{} {
	if ep.stop == nil {
		return nil
	}
	ep.stop()
	return ep.done
}

// engStopWaitLocked stops the processor called name, if it runs, and waits
// for its run to end, releasing e.mu meanwhile; it returns with e.mu held
// and no run of that name going on (a START while it waited is stopped
// too).
func (e *Engine) engStopWaitLocked(name string) {
	for {
		ep, ok := e.procs[name]
		if !ok {
			return
		}
		done := e.engStopLocked(ep)
		if done == nil {
			return
		}
		e.mu.Unlock()
		<-done
		e.mu.Lock()
	}
}

// DropProcessor stops and forgets a processor.
func (e *Engine) DropProcessor(name string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, err := e.engGetLocked(name); err != nil {
		return err
	}
	// Its last run ends, final checkpoint written, before its checkpoints
	// are removed; a START meanwhile is stopped as well.
	e.engStopWaitLocked(name)
	if _, err := e.engGetLocked(name); err != nil {
		return err
	}
	delete(e.procs, name)
	if path := e.engStatePath("processors", name); path != "" {
		if err := os.Remove(path); err != nil && !os.IsNotExist(err) {
			return fmt.Errorf("processor %s: %w", name, err)
		}
		if err := os.RemoveAll(e.engStatePath("checkpoints", name)); err != nil {
			return fmt.Errorf("processor %s: %w", name, err)
		}
	}
	e.log.Info("dropped processor", "processor", name)
	return nil
}

// Processors lists the processors by name.
func (e *Engine) Processors() []ProcessorInfo {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]ProcessorInfo, 0, len(e.procs))
	for _, ep := range e.procs {
		r := ep.rec
		var st Stats
		if ep.live != nil {
			st = ep.live.Stats()
			r.In, r.Out, r.DLQ = st.In, st.Out, st.DLQ
			if engWatermarkKnown(st.Watermark) {
				r.Watermark = st.Watermark
			}
		}
		out = append(out, ProcessorInfo{Name: r.Name, State: r.State, Processor: ep.proc, In: r.In, Out: r.Out, DLQ: r.DLQ,
			Watermark: r.Watermark, Lag: st.Lag, LagKnown: st.LagKnown,
			LastError: r.LastError, Created: r.Created, Changed: r.Changed})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Query runs a pipeline without a sink (a SELECT) and hands each output
// document to fn, in order, until the input ends, fn returns an error
// (ErrStopQuery ends the query without one) or ctx is done. fn's pace is
// the query's pace: nothing is buffered beyond what the runner holds.
func (e *Engine) Query(ctx context.Context, p *mql.Processor, fn func(bson.D) error) error {
	return e.QueryDeadLetters(ctx, p, fn, nil)
}

// QueryDeadLetters is Query that also hands each row that could not be
// processed, as its dead letter (operatorName, errInfo.reason, doc), to
// dead as it happens; nil drops them, as Query does.
func (e *Engine) QueryDeadLetters(ctx context.Context, p *mql.Processor, fn func(bson.D) error, dead func(bson.D)) error {
	if n := len(p.Pipeline); n > 0 && isSink(p.Pipeline[n-1]) {
		return fmt.Errorf("%w: a query ends without $merge or $emit; create a stream processor for that", ErrInvalid)
	}
	_, err := e.engRun(ctx, p, fn, RunOptions{DeadLetter: dead})
	if errors.Is(err, ErrStopQuery) {
		return nil
	}
	return err
}

// ErrStopQuery, returned by Query's callback, ends the query early
// without an error (LIMIT reached on the client side, portal closed).
var ErrStopQuery = errors.New("query stopped")

// Close stops every running processor, keeping their STARTED state on
// disk so the next OpenEngine resumes them, and waits for them to end.
func (e *Engine) Close() error {
	e.mu.Lock()
	e.closed = true
	for _, ep := range e.procs {
		e.engStopLocked(ep)
	}
	e.mu.Unlock()
	e.wg.Wait()
	return nil
}

package mongodb

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/weir-stream/weir/connectors"
	"github.com/weir-stream/weir/planner/mql"
)

// SourceOptions.Fallback's values: FallbackPoll tails inserts in _id
// order when the server has no change streams; FallbackNone (or "") fails
// at start instead. They are $source.config.fallback's.
const (
	FallbackPoll = mql.FallbackPoll
	FallbackNone = mql.FallbackNone
)

// SourceOptions configure a change-stream source: $source's db, coll,
// initialSync and config, plus weir's fallback.
type SourceOptions struct {
	// DB and Colls set the scope: a collection (DB and one coll), some
	// collections of a database (DB and several), a database (DB only) or
	// the whole cluster (neither).
	DB    string
	Colls []string
	// FullDocument is default, updateLookup, required or whenAvailable;
	// FullDocumentBeforeChange is off, required or whenAvailable.
	FullDocument             string
	FullDocumentBeforeChange string
	// FullDocumentOnly emits each event's fullDocument instead of the
	// event; events without one (deletes, updates without updateLookup)
	// are skipped.
	FullDocumentOnly bool
	// Pipeline filters or reshapes the events on the server.
	Pipeline bson.A
	// StartAfter resumes after this token: a change stream's resume token,
	// or a poll token; both are what Position.ResumeToken carried.
	// StartAtOperationTime starts at a cluster time instead. Without
	// either the stream starts now.
	StartAfter           bson.Raw
	StartAtOperationTime *bson.Timestamp
	// MaxAwaitTime is how long the server holds a getMore open waiting for
	// events (default 1s, as ASP's maxAwaitTimeMS).
	MaxAwaitTime time.Duration
	// InitialSync first emits the documents already in the collection as
	// insert events, in _id order, then the changes since the stream
	// opened. It is skipped when StartAfter resumes a stream.
	InitialSync bool
	// Fallback is "poll" to tail inserts when the server has no change
	// streams, "none" or "" to fail instead.
	Fallback string
	// PollInterval is how often the poll fallback looks for new documents
	// when the last look found none (default 1s).
	PollInterval time.Duration
	// BatchSize bounds the messages of one Read (default 1000).
	BatchSize int
	// Logger receives the start-up notice of a fallback; nil is
	// slog.Default().
	Logger *slog.Logger
}

func (o *SourceOptions) validate() error {
	if o.DB == "" && len(o.Colls) > 0 {
		return errors.New("$source: coll needs db")
	}
	if o.StartAfter != nil && o.StartAtOperationTime != nil {
		return errors.New("$source.config: startAfter and startAtOperationTime are mutually exclusive")
	}
	if !slices.Contains([]string{"", "default", "updateLookup", "required", "whenAvailable"}, o.FullDocument) {
		return fmt.Errorf("$source.config.fullDocument: %q is not one of default, updateLookup, required, whenAvailable", o.FullDocument)
	}
	if !slices.Contains([]string{"", "off", "required", "whenAvailable"}, o.FullDocumentBeforeChange) {
		return fmt.Errorf("$source.config.fullDocumentBeforeChange: %q is not one of off, required, whenAvailable", o.FullDocumentBeforeChange)
	}
	if o.Fallback != "" && o.Fallback != FallbackPoll && o.Fallback != FallbackNone {
		return fmt.Errorf("$source.config.fallback: %q is not one of poll, none", o.Fallback)
	}
	if o.MaxAwaitTime < 0 || o.PollInterval < 0 || o.BatchSize < 0 {
		return errors.New("$source: maxAwaitTimeMS, pollInterval and batch size must be positive")
	}
	if o.MaxAwaitTime == 0 {
		o.MaxAwaitTime = time.Second
	}
	if o.PollInterval == 0 {
		o.PollInterval = time.Second
	}
	if o.BatchSize == 0 {
		o.BatchSize = 1000
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return nil
}

// SourceOptionsFor fills SourceOptions from a planned change-stream
// $source. Fallback is $source.config.fallback, "" when the $source leaves
// it to the connection; PollInterval and Logger are set by the caller.
func SourceOptionsFor(s *mql.Source) (SourceOptions, error) {
	o := SourceOptions{DB: s.DB, Colls: s.Colls}
	if s.InitialSync != nil {
		o.InitialSync = s.InitialSync.Enable
	}
	c := s.StreamConfig
	if c == nil {
		return o, nil
	}
	o.FullDocument = c.FullDocument
	o.FullDocumentBeforeChange = c.FullDocumentBeforeChange
	o.FullDocumentOnly = s.FullDocumentOnly()
	o.MaxAwaitTime = time.Duration(c.MaxAwaitTimeMS) * time.Millisecond
	o.Fallback = c.Fallback
	if c.Pipeline != nil {
		o.Pipeline = mql.EncodePipeline(c.Pipeline)
	}
	if c.StartAfter != nil {
		raw, err := bson.Marshal(c.StartAfter)
		if err != nil {
			return o, fmt.Errorf("$source.config.startAfter: expected a resume token document: %w", err)
		}
		o.StartAfter = raw
	}
	switch t := c.StartAtOperationTime.(type) {
	case nil:
	case bson.Timestamp:
		o.StartAtOperationTime = &t
	case bson.DateTime:
		o.StartAtOperationTime = &bson.Timestamp{T: uint32(t.Time().Unix())}
	default:
		return o, fmt.Errorf("$source.config.startAtOperationTime: expected a timestamp or a date, found %T", t)
	}
	return o, nil
}

// Source reads change events (or, in the poll fallback, inserts) as BSON
// messages. Read is not safe for concurrent use; Commit may be called
// from another goroutine.
type Source struct {
	client *Client
	opts   SourceOptions
	scope  string // "db.coll", "db.*" or "*" for messages
	notice string

	// Change-stream mode.
	stream  *mongo.ChangeStream
	syncCur *mongo.Cursor // the initial sync's copy, until exhausted
	// stale is set when a Read ended with its context: the driver's
	// change stream keeps that error for good, so the next Read reopens
	// the stream after the last resume token it saw.
	stale   bool
	staleAt bson.Raw // the stream's last resume token when it went stale
	// staleStart reopens with startAfter staleAt rather than resumeAfter:
	// a checkpoint's token (ResumeFrom), which may follow an invalidate.
	staleStart bool

	// Poll mode.
	poll    *mongo.Collection
	lastID  bson.RawValue // the last _id read; zero before the first
	polling bool

	// handed is the last resume token Read handed out, with a message or
	// as progress, so each advance is reported once. Read's alone.
	handed bson.Raw

	mu        sync.Mutex
	committed connectors.Position
	// progress is the stream's position past the last message Read
	// returned, set while Read waits (getMores with no events), withdrawn
	// when it returns messages (connectors.Progresser).
	progress    connectors.Position
	hasProgress bool
}

var (
	_ connectors.Source     = (*Source)(nil)
	_ connectors.Resumer    = (*Source)(nil)
	_ connectors.Progresser = (*Source)(nil)
)

// pollTokenKey marks a poll fallback's position, so StartAfter can tell it
// from a change stream's resume token.
const pollTokenKey = "_weirPollAfter"

// syncTokenKey marks the position of a document of the initial sync
// ({_weirInitialSync: <_id>}): it is not a place in the change stream, so
// resuming from it (StartAfter, ResumeFrom) copies the collection again
// from its start, as ASP does after a restart during the initial sync.
// Carrying a token keeps the runtime from taking its zero offset for a
// Kafka-like one and skipping the copy.
const syncTokenKey = "_weirInitialSync"

// OpenSource opens the change stream (so a server without change streams,
// or a bad option, fails here rather than at the first Read) and, when
// the server has none and Fallback is "poll", switches to polling, saying
// so through Notice and the logger.
func OpenSource(ctx context.Context, c *Client, o SourceOptions) (*Source, error) {
	if err := o.validate(); err != nil {
		return nil, err
	}
	if o.StartAfter != nil {
		if _, err := o.StartAfter.LookupErr(syncTokenKey); err == nil {
			// Stopped during the initial sync: do it again.
			o.StartAfter = nil
		}
	}
	s := &Source{client: c, opts: o, scope: scopeName(o)}
	if o.StartAfter != nil {
		if _, err := o.StartAfter.LookupErr(pollTokenKey); err == nil {
			// The stream was polled before; keep polling from there.
			return s, s.openPoll(ctx, "")
		}
	}
	err := s.openStream(ctx)
	if err == nil {
		return s, nil
	}
	if !noChangeStreams(err) {
		return nil, s.streamError("opening the change stream", err)
	}
	why := fmt.Sprintf("the server at %s has no change streams (it answered: %s)", strings.Join(hostsOf(c), ","), serverMessage(err))
	if isCode(err, 40573) {
		why = fmt.Sprintf("the server at %s is not a replica set, and only replica sets and sharded clusters have change streams (it answered: %s)", strings.Join(hostsOf(c), ","), serverMessage(err))
	}
	if o.Fallback != FallbackPoll {
		hint := `set config.fallback: "poll" to tail inserts in _id order instead`
		if isCode(err, 40573) {
			hint = `run it as a replica set (one member is enough) to read every change, or set config.fallback: "poll" to tail inserts in _id order instead`
		}
		return nil, fmt.Errorf("mongodb source on %s: %s; %s", s.scope, why, hint)
	}
	return s, s.openPoll(ctx, why)
}

func scopeName(o SourceOptions) string {
	switch {
	case o.DB == "":
		return "the cluster"
	case len(o.Colls) == 0:
		return o.DB + ".*"
	case len(o.Colls) == 1:
		return o.DB + "." + o.Colls[0]
	}
	return o.DB + ".{" + strings.Join(o.Colls, ",") + "}"
}

func hostsOf(c *Client) []string {
	if cs, err := c.cfg.validate(); err == nil {
		return cs.Hosts
	}
	return []string{"?"}
}

// Notice is the start-up message of a fallback ("" when reading a change
// stream), for the engine to show beside the processor.
func (s *Source) Notice() string { return s.notice }

// Polling reports whether the source tails inserts instead of reading a
// change stream.
func (s *Source) Polling() bool { return s.polling }

func (s *Source) openStream(ctx context.Context) error {
	return s.openStreamAfter(ctx, false, nil, false)
}

// openStreamAfter opens the change stream. A reopen doesn't copy the
// collection again, and starts after resumeAfter when it is not nil (the
// options' own start is then behind it), as startAfter when startAfter is
// set (a checkpoint's token), else as resumeAfter.
func (s *Source) openStreamAfter(ctx context.Context, reopen bool, resumeAfter bson.Raw, startAfter bool) error {
	o := s.opts
	if reopen {
		o.InitialSync = false
	}
	if resumeAfter != nil {
		o.StartAfter, o.StartAtOperationTime = nil, nil
	}
	co := options.ChangeStream().SetMaxAwaitTime(o.MaxAwaitTime).SetBatchSize(int32(o.BatchSize))
	if resumeAfter != nil {
		if startAfter {
			co.SetStartAfter(resumeAfter)
		} else {
			co.SetResumeAfter(resumeAfter)
		}
	}
	if o.FullDocument != "" {
		co.SetFullDocument(options.FullDocument(o.FullDocument))
	}
	if o.FullDocumentBeforeChange != "" {
		co.SetFullDocumentBeforeChange(options.FullDocument(o.FullDocumentBeforeChange))
	}
	if o.StartAfter != nil {
		co.SetStartAfter(o.StartAfter)
	}
	if o.StartAtOperationTime != nil {
		co.SetStartAtOperationTime(o.StartAtOperationTime)
	}
	pipeline := bson.A{}
	if len(o.Colls) > 1 {
		colls := make(bson.A, len(o.Colls))
		for i, c := range o.Colls {
			colls[i] = c
		}
		pipeline = append(pipeline, bson.D{{Key: "$match", Value: bson.D{{Key: "ns.coll", Value: bson.D{{Key: "$in", Value: colls}}}}}})
	}
	pipeline = append(pipeline, o.Pipeline...)
	mc := s.client.mongo
	var err error
	switch {
	case o.DB == "":
		s.stream, err = mc.Watch(ctx, pipeline, co)
	case len(o.Colls) == 1:
		s.stream, err = mc.Database(o.DB).Collection(o.Colls[0]).Watch(ctx, pipeline, co)
	default:
		s.stream, err = mc.Database(o.DB).Watch(ctx, pipeline, co)
	}
	if err != nil {
		return err
	}
	// The copy starts after the stream, so a document written in between
	// is seen twice rather than never (at-least-once, as ASP warns).
	if o.InitialSync && o.StartAfter == nil && o.StartAtOperationTime == nil {
		if len(o.Colls) != 1 {
			s.stream.Close(ctx)
			return fmt.Errorf("initialSync copies one collection; this source watches %s", s.scope)
		}
		s.syncCur, err = mc.Database(o.DB).Collection(o.Colls[0]).Find(ctx, bson.D{},
			options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}).SetBatchSize(int32(o.BatchSize)))
		if err != nil {
			s.stream.Close(ctx)
			return fmt.Errorf("initialSync: %w", err)
		}
	}
	return nil
}

// noChangeStreams says whether an error opening a change stream means the
// server has none: FerretDB's NotImplemented (238) for a collection and
// FailedToParse (9) for the aggregate: 1 of a database or cluster stream,
// a standalone mongod's 40573, CommandNotFound (59) and an unknown stage
// (40324) from other MongoDB-wire servers.
func noChangeStreams(err error) bool {
	var ce mongo.CommandError
	if !errors.As(err, &ce) {
		return false
	}
	switch ce.Code {
	case 238, 40573, 59, 40324:
		return true
	case 9:
		return strings.Contains(ce.Message, "aggregate")
	}
	return false
}

func serverMessage(err error) string {
	var ce mongo.CommandError
	if errors.As(err, &ce) {
		return fmt.Sprintf("%s (%s, code %d)", ce.Message, ce.Name, ce.Code)
	}
	return err.Error()
}

// openPoll switches to tailing inserts: from the token's _id when resuming,
// from the start for an initial sync, else from the newest document, as a
// change stream starts now.
func (s *Source) openPoll(ctx context.Context, why string) error {
	o := s.opts
	if o.DB == "" || len(o.Colls) != 1 {
		return fmt.Errorf("mongodb source on %s: %s; the poll fallback tails one collection, so give db and one coll", s.scope, why)
	}
	if len(o.Pipeline) > 0 {
		return fmt.Errorf("mongodb source on %s: %s; config.pipeline works on change events, which the poll fallback doesn't have: remove it or use a server with change streams", s.scope, why)
	}
	s.polling = true
	s.poll = s.client.mongo.Database(o.DB).Collection(o.Colls[0])
	switch {
	case o.StartAfter != nil:
		v, err := o.StartAfter.LookupErr(pollTokenKey)
		if err != nil {
			return fmt.Errorf("mongodb source on %s: %s, and startAfter is a change stream's resume token, which polling can't resume from", s.scope, why)
		}
		s.lastID = v
	case o.InitialSync:
	default:
		var last bson.Raw
		err := s.poll.FindOne(ctx, bson.D{}, options.FindOne().SetSort(bson.D{{Key: "_id", Value: -1}}).SetProjection(bson.D{{Key: "_id", Value: 1}})).Decode(&last)
		switch {
		case errors.Is(err, mongo.ErrNoDocuments):
		case err != nil:
			return fmt.Errorf("mongodb source on %s: finding where to start polling: %w", s.scope, err)
		default:
			s.lastID = last.Lookup("_id")
		}
	}
	if why != "" {
		s.notice = fmt.Sprintf("mongodb source on %s: %s; tailing inserts in _id order every %s instead: updates, deletes and inserts of _ids lower than the last one seen are not read", s.scope, why, o.PollInterval)
		o.Logger.Warn(s.notice)
	}
	return nil
}

// Read returns the next events, waiting for some.
func (s *Source) Read(ctx context.Context) ([]connectors.Message, error) {
	if s.polling {
		return s.readPoll(ctx)
	}
	if s.syncCur != nil {
		msgs, err := s.readSync(ctx)
		if len(msgs) > 0 || err != nil {
			return msgs, err
		}
	}
	if s.stale {
		if err := s.reopen(ctx); err != nil {
			return nil, err
		}
	}
	// The driver refuses a context whose deadline is nearer than
	// MaxAwaitTime, and keeps that refusal: the stream gets a context
	// without the deadline, canceled when ctx ends.
	sctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	defer context.AfterFunc(ctx, cancel)()
	for {
		// One getMore at a time (TryNext, not Next, which loops over
		// empty ones), so the position of each empty one is seen.
		if !s.stream.TryNext(sctx) {
			if err := ctx.Err(); err != nil {
				if !s.stale {
					s.stale = true
					s.staleAt = slices.Clone(s.stream.ResumeToken())
				}
				return nil, err
			}
			if err := s.stream.Err(); err != nil {
				return nil, s.streamError("reading the change stream", err)
			}
			if s.stream.ID() == 0 {
				return nil, fmt.Errorf("mongodb source on %s: the change stream was closed by the server (invalidated: the collection or database was dropped or renamed)", s.scope)
			}
			// A getMore without events (none happened, or config.pipeline
			// filtered them out): its postBatchResumeToken is where the
			// stream is now.
			s.advance(s.stream.ResumeToken())
			continue
		}
		var msgs []connectors.Message
		for {
			if m, ok := s.eventMessage(s.stream.Current); ok {
				// The driver's token: the event's _id, or the batch's
				// postBatchResumeToken after its last event, which also
				// covers the events the server filtered out.
				if tok := s.stream.ResumeToken(); tok != nil {
					m.Position.ResumeToken = slices.Clone([]byte(tok))
				}
				msgs = append(msgs, m)
			}
			if len(msgs) >= s.opts.BatchSize || s.stream.RemainingBatchLength() == 0 || !s.stream.TryNext(sctx) {
				break
			}
		}
		if len(msgs) > 0 {
			s.handOut(msgs[len(msgs)-1].Position.ResumeToken)
			return msgs, nil
		}
		// Every event lacked a fullDocument under fullDocumentOnly: the
		// batch's token covers them.
		s.advance(s.stream.ResumeToken())
	}
}

// advance records a resume token the stream reached with no message to
// carry it, for Progress; Read calls it with every message it read
// returned already.
func (s *Source) advance(tok bson.Raw) {
	if tok == nil || slices.Equal([]byte(tok), []byte(s.handed)) {
		return
	}
	s.handed = slices.Clone([]byte(tok))
	s.mu.Lock()
	s.progress, s.hasProgress = connectors.Position{Topic: s.progressTopic(), ResumeToken: s.handed}, true
	s.mu.Unlock()
}

// handOut withdraws the progress before Read returns messages: their
// positions are newer, and the progress must not be taken after them.
func (s *Source) handOut(last bson.Raw) {
	s.mu.Lock()
	s.progress, s.hasProgress = connectors.Position{}, false
	s.mu.Unlock()
	if last != nil {
		s.handed = last
	}
}

// Progress is the change stream's resume token past the last message Read
// returned, when getMores since then brought no message: the
// postBatchResumeToken of a reply with no event (none happened, or the
// server's config.pipeline filtered them out) or only events
// fullDocumentOnly drops. ok is false otherwise, and always when polling
// (an _id doesn't expire). Safe to call while Read runs
// (connectors.Progresser).
//
// Its Topic is progressTopic's: the collection's namespace, the partition
// of the collection's events; for a stream over several namespaces, whose
// events are one partition each in the runtime, the scope's, a partition
// of its own, whose token ResumeFrom weighs with the others' (the latest
// wins).
func (s *Source) Progress() (connectors.Position, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.progress, s.hasProgress
}

// progressTopic is the Topic of Progress's positions: "db.coll" for one
// collection (its events' ns), else "db.{a,b}", "db.*" or "*" (the
// cluster).
func (s *Source) progressTopic() string {
	if s.opts.DB == "" {
		return "*"
	}
	return scopeName(s.opts)
}

// reopen replaces a stream whose Read ended with its context by a new one
// after the last resume token the old one saw (the last event read, or
// the postBatchResumeToken of the last batch); without any, it opens as
// the source first did.
func (s *Source) reopen(ctx context.Context) error {
	if s.stream != nil {
		_ = s.stream.Close(ctx)
		s.stream = nil
	}
	if err := s.openStreamAfter(ctx, true, s.staleAt, s.staleStart); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		doing := "reopening the change stream"
		if s.staleStart {
			doing = "resuming the change stream from the checkpoint's resume token"
		}
		return s.streamError(doing, err)
	}
	s.stale, s.staleStart = false, false
	return nil
}

// ResumeFrom makes the source continue after a checkpoint's positions
// (connectors.Resumer): the runtime calls it once, before the first Read,
// when the processor restarts from a checkpoint.
//
//   - A change stream is reopened at the first Read with startAfter the
//     latest resume token among positions (the greatest _data: tokens
//     order by cluster time), without the initial sync; the stream
//     OpenSource opened "now" is closed.
//   - The poll fallback reads the documents after the position's _id.
//   - Positions of the initial sync only (the processor stopped during
//     the copy): the copy is done again, from the start.
//   - No position with a token: nothing changes.
//
// A checkpoint of a polled source read by a change stream (the server
// has change streams now) keeps polling from its _id, as OpenSource does
// with such a StartAfter; a change stream's token can't be polled from.
func (s *Source) ResumeFrom(positions []connectors.Position) error {
	var stream, poll bson.Raw
	for _, p := range positions {
		t := p.ResumeToken
		if t == nil {
			continue
		}
		switch {
		case hasKey(t, syncTokenKey):
		case hasKey(t, pollTokenKey):
			poll = t
		case stream == nil || tokenLess(stream, t):
			stream = t
		}
	}
	switch {
	case s.polling && poll != nil:
		s.lastID = poll.Lookup(pollTokenKey)
	case s.polling && stream != nil:
		return fmt.Errorf("mongodb source on %s: the checkpoint holds a change stream's resume token, and this server has no change streams, so the source polls, which can't resume from it; "+
			"remove the checkpoint to start polling from the newest document, or run the processor against a server with change streams", s.scope)
	case poll != nil:
		// Polled before: keep polling after the _id, with no find now.
		if s.stream != nil {
			_ = s.stream.Close(context.Background())
			s.stream = nil
		}
		s.closeSync()
		o := s.opts
		if o.DB == "" || len(o.Colls) != 1 || len(o.Pipeline) > 0 {
			return fmt.Errorf("mongodb source on %s: the checkpoint holds a poll position (the server had no change streams), which this source can't poll from: the poll fallback tails one collection without config.pipeline; remove the checkpoint", s.scope)
		}
		s.polling = true
		s.poll = s.client.mongo.Database(o.DB).Collection(o.Colls[0])
		s.lastID = poll.Lookup(pollTokenKey)
	case stream != nil:
		s.closeSync()
		s.stale, s.staleAt, s.staleStart = true, slices.Clone([]byte(stream)), true
	}
	return nil
}

func (s *Source) closeSync() {
	if s.syncCur != nil {
		_ = s.syncCur.Close(context.Background())
		s.syncCur = nil
	}
}

func hasKey(doc bson.Raw, key string) bool {
	_, err := doc.LookupErr(key)
	return err == nil
}

// tokenLess orders two change-stream resume tokens by their _data, the
// hex form of a key string that starts with the event's cluster time (the
// order mongos merges shards' streams by). Tokens without a string _data
// (a server older than 4.2) can't be ordered: the later one given wins.
func tokenLess(a, b bson.Raw) bool {
	da, ok1 := a.Lookup("_data").StringValueOK()
	db, ok2 := b.Lookup("_data").StringValueOK()
	if !ok1 || !ok2 {
		return true
	}
	return da < db
}

// streamError explains an error of the change stream: what the server
// said and, where the user can do something about it, what.
func (s *Source) streamError(doing string, err error) error {
	where := fmt.Sprintf("mongodb source on %s (server %s)", s.scope, strings.Join(hostsOf(s.client), ","))
	switch {
	case isCode(err, 286, 280, 136):
		// ChangeStreamHistoryLost; ChangeStreamFatalError and
		// CappedPositionLost are what older servers say.
		return fmt.Errorf("%s: %s: the change stream can't resume from its position, which the server's oplog no longer holds (it answered: %s); "+
			"the events since then can't be read: start the processor again without its saved position (remove its checkpoint, or set config.startAfter "+
			"or config.startAtOperationTime to a point the oplog still holds), and give the oplog more room (replSetResizeOplog) so a stop outlasts it less often", where, doing, serverMessage(err))
	case isCode(err, 40573):
		return fmt.Errorf(`%s: %s: the server is not a replica set, and only replica sets and sharded clusters have change streams (it answered: %s); run it as a replica set (one member is enough), or set config.fallback: "poll" to tail inserts in _id order instead`, where, doing, serverMessage(err))
	case isCode(err, 260):
		// InvalidResumeToken.
		return fmt.Errorf("%s: %s: the server refused the resume token (it answered: %s); config.startAfter must be a resume token this collection's change stream gave (an event's _id), not one of another collection or a poll position", where, doing, serverMessage(err))
	}
	return fmt.Errorf("%s: %s: %w", where, doing, err)
}

// isCode says whether err is a server error with one of codes.
func isCode(err error, codes ...int) bool {
	var se mongo.ServerError
	if !errors.As(err, &se) {
		return false
	}
	for _, c := range codes {
		if se.HasErrorCode(c) {
			return true
		}
	}
	return false
}

// eventMessage turns a change event into a message; ok is false when
// fullDocumentOnly has nothing to emit.
func (s *Source) eventMessage(ev bson.Raw) (connectors.Message, bool) {
	value := slices.Clone([]byte(ev)) // Current is reused by the next Next
	m := connectors.Message{Format: connectors.BSON, Value: value}
	if tok, ok := ev.Lookup("_id").DocumentOK(); ok {
		m.Position.ResumeToken = slices.Clone([]byte(tok))
	}
	if ns, ok := ev.Lookup("ns").DocumentOK(); ok {
		db, _ := ns.Lookup("db").StringValueOK()
		coll, _ := ns.Lookup("coll").StringValueOK()
		m.Position.Topic = db + "." + coll
	}
	if wt, ok := ev.Lookup("wallTime").DateTimeOK(); ok {
		m.Time = time.UnixMilli(wt).UTC()
	} else if t, _, ok := ev.Lookup("clusterTime").TimestampOK(); ok {
		m.Time = time.Unix(int64(t), 0).UTC()
	}
	if s.opts.FullDocumentOnly {
		fd, ok := ev.Lookup("fullDocument").DocumentOK()
		if !ok {
			return m, false
		}
		m.Value = slices.Clone([]byte(fd))
	}
	return m, true
}

// readSync returns the next documents of the initial sync as insert
// events. Their position is a sync token (syncTokenKey), not a place in
// the stream: a restart from one redoes the sync, which at-least-once
// allows and ASP documents.
func (s *Source) readSync(ctx context.Context) ([]connectors.Message, error) {
	ns := s.opts.DB + "." + s.opts.Colls[0]
	var msgs []connectors.Message
	for len(msgs) < s.opts.BatchSize && s.syncCur.Next(ctx) {
		m, err := s.insertMessage(s.syncCur.Current, ns, time.Now())
		if err != nil {
			return nil, err
		}
		tok, err := bson.Marshal(bson.D{{Key: syncTokenKey, Value: s.syncCur.Current.Lookup("_id")}})
		if err != nil {
			return nil, err
		}
		m.Position.ResumeToken = tok
		msgs = append(msgs, m)
		if s.syncCur.RemainingBatchLength() == 0 {
			break
		}
	}
	if err := s.syncCur.Err(); err != nil {
		return nil, fmt.Errorf("mongodb source on %s: initialSync: %w", s.scope, err)
	}
	if len(msgs) == 0 {
		s.syncCur.Close(ctx)
		s.syncCur = nil
	}
	return msgs, nil
}

// insertMessage makes an insert event of a document read by find, shaped
// as the server's ({_id, operationType, wallTime, ns, documentKey,
// fullDocument}), or the document itself under fullDocumentOnly. Its
// _id (the resume token) is a poll token holding the document's _id.
func (s *Source) insertMessage(doc bson.Raw, ns string, at time.Time) (connectors.Message, error) {
	id := doc.Lookup("_id")
	tok, err := bson.Marshal(bson.D{{Key: pollTokenKey, Value: id}})
	if err != nil {
		return connectors.Message{}, err
	}
	at = at.Truncate(time.Millisecond).UTC()
	m := connectors.Message{Format: connectors.BSON, Time: at, Position: connectors.Position{Topic: ns, ResumeToken: tok}}
	if s.opts.FullDocumentOnly {
		m.Value = slices.Clone([]byte(doc))
		return m, nil
	}
	db, coll, _ := strings.Cut(ns, ".")
	ev, err := bson.Marshal(bson.D{
		{Key: "_id", Value: bson.Raw(tok)},
		{Key: "operationType", Value: "insert"},
		{Key: "wallTime", Value: bson.NewDateTimeFromTime(at)},
		{Key: "ns", Value: bson.D{{Key: "db", Value: db}, {Key: "coll", Value: coll}}},
		{Key: "documentKey", Value: bson.D{{Key: "_id", Value: id}}},
		{Key: "fullDocument", Value: doc},
	})
	m.Value = ev
	return m, err
}

// readPoll finds the documents after the last _id seen, waiting a poll
// interval between empty looks.
func (s *Source) readPoll(ctx context.Context) ([]connectors.Message, error) {
	ns := s.opts.DB + "." + s.opts.Colls[0]
	for {
		filter := bson.D{}
		if s.lastID.Type != 0 {
			filter = bson.D{{Key: "_id", Value: bson.D{{Key: "$gt", Value: s.lastID}}}}
		}
		cur, err := s.poll.Find(ctx, filter, options.Find().
			SetSort(bson.D{{Key: "_id", Value: 1}}).
			SetLimit(int64(s.opts.BatchSize)))
		if err != nil {
			return nil, fmt.Errorf("mongodb source on %s: polling: %w", s.scope, err)
		}
		now := time.Now()
		var msgs []connectors.Message
		for cur.Next(ctx) {
			doc := bson.Raw(slices.Clone([]byte(cur.Current)))
			m, err := s.insertMessage(doc, ns, now)
			if err != nil {
				cur.Close(ctx)
				return nil, err
			}
			msgs = append(msgs, m)
			s.lastID = doc.Lookup("_id")
		}
		err = cur.Err()
		cur.Close(ctx)
		if err != nil {
			return nil, fmt.Errorf("mongodb source on %s: polling: %w", s.scope, err)
		}
		if len(msgs) > 0 {
			return msgs, nil
		}
		select {
		case <-time.After(s.opts.PollInterval):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// Commit records the latest of upTo that carries a token: reopening the
// source with StartAfter set to Committed().ResumeToken resumes after it.
// The server keeps no cursor state for us, so there is nothing to send.
func (s *Source) Commit(_ context.Context, upTo []connectors.Position) error {
	for i := len(upTo) - 1; i >= 0; i-- {
		if upTo[i].ResumeToken != nil {
			s.mu.Lock()
			s.committed = upTo[i]
			s.mu.Unlock()
			return nil
		}
	}
	return nil
}

// Committed is the last committed position; its ResumeToken is the
// StartAfter of a restart (nil: nothing committed; a sync token: only
// initial-sync documents, which a restart copies again).
func (s *Source) Committed() connectors.Position {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.committed
}

// Close closes the stream or cursor; the client stays the caller's.
func (s *Source) Close() error {
	ctx := context.Background()
	if s.syncCur != nil {
		s.syncCur.Close(ctx)
	}
	if s.stream != nil {
		return s.stream.Close(ctx)
	}
	return nil
}

package kafka

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/weir-stream/weir/connectors"
)

// SourceOptions are a Kafka $source's options.
type SourceOptions struct {
	Topics []string
	// GroupID is the consumer group. The caller derives it from the
	// processor's name with DefaultGroupID when $source.config.group_id is
	// not set, so that a restarted processor (or a second worker running
	// it) continues from the group's committed offsets. Empty reads every
	// partition without a group and commits nothing: for ephemeral queries
	// (ASP's sp.process), which must not leave groups behind.
	GroupID string
	// AutoOffsetReset is where a partition without a committed offset
	// starts: ASP's end, latest or largest (the default) for new records
	// only, or earliest, beginning or smallest for all retained ones.
	AutoOffsetReset string
	// KeyFormat and KeyFormatError are ASP's keyFormat (binData, string,
	// json, int, long) and keyFormatError (dlq, passThrough); see Key.
	KeyFormat      string
	KeyFormatError string
	// PartitionIdleTimeout marks a partition idle in Partitions when
	// nothing was read from it for that long; zero never does.
	PartitionIdleTimeout time.Duration
	// ConnectTimeout bounds the start-up check; zero is the connection's
	// dial_timeout.
	ConnectTimeout time.Duration
	// CreateTopics creates missing topics (broker default partitions and
	// replication) instead of failing: for the playground and tests.
	CreateTopics bool
}

// DefaultGroupID is the consumer group of a processor that doesn't name
// one: "weir-<processor>", after ASP's asp-<id>-consumer.
func DefaultGroupID(processor string) string { return "weir-" + processor }

var offsetResets = map[string]bool{
	"earliest": true, "beginning": true, "smallest": true,
	"latest": false, "end": false, "largest": false, "": false,
}

func (o *SourceOptions) validate() error {
	if len(o.Topics) == 0 {
		return errors.New("kafka: a source needs at least one topic")
	}
	for _, t := range o.Topics {
		if err := checkTopic(t); err != nil {
			return err
		}
	}
	if _, ok := offsetResets[o.AutoOffsetReset]; !ok {
		return fmt.Errorf("kafka: auto_offset_reset: %q is not one of earliest, beginning, smallest, latest, end, largest", o.AutoOffsetReset)
	}
	if _, err := ParseKeyFormat(o.KeyFormat); err != nil {
		return fmt.Errorf("kafka: %w", err)
	}
	switch o.KeyFormatError {
	case "", "dlq", "passThrough":
	default:
		return fmt.Errorf("kafka: keyFormatError: %q is not dlq or passThrough", o.KeyFormatError)
	}
	if o.PartitionIdleTimeout < 0 {
		return fmt.Errorf("kafka: partitionIdleTimeout must not be negative, found %s", o.PartitionIdleTimeout)
	}
	return nil
}

// Source reads Kafka topics as a connectors.Source. In a consumer group it
// reads the partitions the group assigns it (all of them when it is the
// only member); without one it reads all of them. It never commits on its
// own: offsets move only through Commit, which the engine calls after the
// data reached the sink, so a crash re-reads rather than loses.
//
// Read, Commit, Partitions and Key may be called from different
// goroutines.
type Source struct {
	cfg   *Config
	opts  SourceOptions
	cl    *kgo.Client
	key   KeyFormat
	group bool

	mu         sync.Mutex
	parts      map[tp]*partState
	committed  map[tp]int64 // next offset committed per partition
	pending    error        // a fetch error held back while messages went out
	closeOnce  sync.Once
	closed     bool
	generation int // counts assignment changes, see PartitionsGeneration
}

type tp struct {
	topic string
	part  int32
}

type partState struct {
	since    time.Time // assigned (or first seen)
	lastRead time.Time // a record was last returned by Read
	// hw is the partition's high watermark as the last fetch reported it
	// (-1 before one), next the offset after the last record Read
	// returned; hw - next is the partition's lag.
	hw, next int64
}

var (
	_ connectors.Source = (*Source)(nil)
	_ connectors.Lagger = (*Source)(nil)
)

// Lag is the number of records on the partitions s reads that Read has
// not returned yet, as of each partition's last fetch.
func (s *Source) Lag() (int64, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var lag int64
	known := false
	for _, st := range s.parts {
		if st.hw < 0 {
			continue
		}
		known = true
		if d := st.hw - st.next; d > 0 {
			lag += d
		}
	}
	return lag, known
}

// NewSource connects, checks that every topic exists, and joins the group.
// It fails within opts.ConnectTimeout when no broker answers, naming the
// address, and at once when a topic is missing (unless CreateTopics).
func NewSource(ctx context.Context, cfg *Config, opts SourceOptions) (*Source, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	s := &Source{cfg: cfg, opts: opts, group: opts.GroupID != "", parts: map[tp]*partState{}, committed: map[tp]int64{}}
	s.key, _ = ParseKeyFormat(opts.KeyFormat)

	reset := kgo.NewOffset().AtEnd()
	if offsetResets[opts.AutoOffsetReset] {
		reset = kgo.NewOffset().AtStart()
	}
	kopts := []kgo.Opt{
		kgo.ConsumeTopics(opts.Topics...),
		kgo.ConsumeResetOffset(reset),
	}
	if s.group {
		kopts = append(kopts,
			kgo.ConsumerGroup(opts.GroupID),
			// Offsets are committed by Commit alone: autocommit would
			// commit records the sink hasn't acknowledged.
			kgo.DisableAutoCommit(),
			kgo.OnPartitionsAssigned(s.assigned),
			kgo.OnPartitionsRevoked(s.revoked),
			kgo.OnPartitionsLost(s.revoked),
		)
	}
	cl, err := cfg.connect(ctx, opts.ConnectTimeout, kopts...)
	if err != nil {
		return nil, err
	}
	s.cl = cl
	if err := s.checkTopics(ctx); err != nil {
		cl.Close()
		return nil, err
	}
	return s, nil
}

// checkTopics fails start-up on a topic that doesn't exist, which franz-go
// would otherwise wait for silently (ASP fails such a processor with "no
// partitions found").
func (s *Source) checkTopics(ctx context.Context) error {
	adm := kadm.NewClient(s.cl)
	ctx, cancel := context.WithTimeout(ctx, cmp.Or(s.opts.ConnectTimeout, s.cfg.DialTimeout))
	defer cancel()
	details, err := adm.ListTopics(ctx, s.opts.Topics...)
	if err != nil {
		return fmt.Errorf("kafka: listing topics at %s: %w", s.cfg.where(), err)
	}
	var missing []string
	for _, t := range s.opts.Topics {
		d, ok := details[t]
		switch {
		case !ok || errors.Is(d.Err, kerr.UnknownTopicOrPartition):
			missing = append(missing, t)
		case d.Err != nil:
			return fmt.Errorf("kafka: topic %q at %s: %w", t, s.cfg.where(), d.Err)
		case len(d.Partitions) == 0:
			return fmt.Errorf("kafka: topic %q at %s has no partitions", t, s.cfg.where())
		}
		if !s.group {
			for p := range d.Partitions {
				s.parts[tp{t, p}] = &partState{since: time.Now(), hw: -1}
			}
		}
	}
	if len(missing) == 0 {
		return nil
	}
	if !s.opts.CreateTopics {
		return fmt.Errorf("kafka: no partitions found: topic %s does not exist at %s", quoteAll(missing), s.cfg.where())
	}
	resps, err := adm.CreateTopics(ctx, -1, -1, nil, missing...)
	if err != nil {
		return fmt.Errorf("kafka: creating topic %s at %s: %w", quoteAll(missing), s.cfg.where(), err)
	}
	for _, r := range resps.Sorted() {
		if r.Err != nil && !errors.Is(r.Err, kerr.TopicAlreadyExists) {
			return fmt.Errorf("kafka: creating topic %q at %s: %w", r.Topic, s.cfg.where(), r.Err)
		}
		if !s.group {
			for p := range r.NumPartitions {
				s.parts[tp{r.Topic, p}] = &partState{since: time.Now(), hw: -1}
			}
		}
	}
	// Without a group franz-go learns of the new topic on its next
	// metadata refresh; asking now saves the wait.
	s.cl.ForceMetadataRefresh()
	return nil
}

func quoteAll(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
}

func (s *Source) assigned(_ context.Context, _ *kgo.Client, m map[string][]int32) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	for t, ps := range m {
		for _, p := range ps {
			s.parts[tp{t, p}] = &partState{since: now, hw: -1}
		}
	}
	s.generation++
}

func (s *Source) revoked(_ context.Context, _ *kgo.Client, m map[string][]int32) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for t, ps := range m {
		for _, p := range ps {
			delete(s.parts, tp{t, p})
			delete(s.committed, tp{t, p})
		}
	}
	if len(m) > 0 {
		s.generation++
	}
}

// Read returns the next records, waiting until there are some or ctx ends.
func (s *Source) Read(ctx context.Context) ([]connectors.Message, error) {
	s.mu.Lock()
	if err := s.pending; err != nil {
		s.pending = nil
		s.mu.Unlock()
		return nil, err
	}
	closed := s.closed
	s.mu.Unlock()
	if closed {
		return nil, errClosed
	}
	for {
		fetches := s.cl.PollFetches(ctx)
		if fetches.IsClientClosed() {
			return nil, errClosed
		}
		var fatal error
		fetches.EachError(func(t string, p int32, err error) {
			if fatal == nil && !benign(err) {
				fatal = fmt.Errorf("kafka: reading %s[%d] at %s: %w", t, p, s.cfg.where(), err)
			}
		})
		n := fetches.NumRecords()
		if n == 0 {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			if fatal != nil {
				return nil, fatal
			}
			continue
		}
		msgs := make([]connectors.Message, 0, n)
		now := time.Now()
		s.mu.Lock()
		fetches.EachPartition(func(f kgo.FetchTopicPartition) {
			if len(f.Records) == 0 {
				return
			}
			st := s.parts[tp{f.Topic, f.Partition}]
			if st == nil {
				// A partition added to the topic after start (no group),
				// or a record fetched just before a revoke.
				st = &partState{since: now, hw: -1}
				s.parts[tp{f.Topic, f.Partition}] = st
			}
			st.lastRead = now
			st.hw = f.HighWatermark
			st.next = f.Records[len(f.Records)-1].Offset + 1
			for _, r := range f.Records {
				msgs = append(msgs, message(r))
			}
		})
		// Never messages and an error together: the error waits for the
		// next Read.
		s.pending = fatal
		s.mu.Unlock()
		return msgs, nil
	}
}

var errClosed = errors.New("kafka: source is closed")

// benign says a fetch error needs no action: franz-go retries it or has
// already recovered (a reset after data loss), or it reports the
// context's end, which Read handles.
func benign(err error) bool {
	var dataLoss *kgo.ErrDataLoss
	var session *kgo.ErrGroupSession
	return kerr.IsRetriable(err) ||
		errors.As(err, &dataLoss) ||
		errors.As(err, &session) ||
		errors.Is(err, context.Canceled) ||
		errors.Is(err, context.DeadlineExceeded)
}

func message(r *kgo.Record) connectors.Message {
	m := connectors.Message{
		Value:    r.Value,
		Format:   connectors.ExtJSON,
		Time:     r.Timestamp,
		Key:      r.Key,
		Position: connectors.Position{Topic: r.Topic, Partition: r.Partition, Offset: r.Offset},
	}
	if len(r.Headers) > 0 {
		m.Headers = make([]connectors.Header, len(r.Headers))
		for i, h := range r.Headers {
			m.Headers[i] = connectors.Header{Key: h.Key, Value: h.Value}
		}
	}
	return m
}

// ErrRebalanced wraps a commit the group refused because it rebalanced
// first. Nothing is lost: the partitions' new owner reads again from the
// last committed offset (at-least-once), so the engine may carry on.
var ErrRebalanced = errors.New("kafka: the group rebalanced before the commit")

// Commit commits, per partition, the offset after the highest position
// given: the next record to read when the group resumes. Positions of
// partitions this member no longer owns are skipped, since committing them
// could move the new owner's offset backwards; so are positions at or
// below what was already committed. Without a group it does nothing (the
// engine's checkpoint holds the positions).
func (s *Source) Commit(ctx context.Context, upTo []connectors.Position) error {
	if !s.group || len(upTo) == 0 {
		return nil
	}
	offsets := map[string]map[int32]kgo.EpochOffset{}
	s.mu.Lock()
	for _, p := range upTo {
		k := tp{p.Topic, p.Partition}
		if _, mine := s.parts[k]; !mine || p.Offset+1 <= s.committed[k] {
			continue
		}
		if offsets[p.Topic] == nil {
			offsets[p.Topic] = map[int32]kgo.EpochOffset{}
		}
		if cur, ok := offsets[p.Topic][p.Partition]; !ok || p.Offset+1 > cur.Offset {
			offsets[p.Topic][p.Partition] = kgo.EpochOffset{Epoch: -1, Offset: p.Offset + 1}
		}
	}
	s.mu.Unlock()
	if len(offsets) == 0 {
		return nil
	}
	var cerr error
	s.cl.CommitOffsetsSync(ctx, offsets, func(_ *kgo.Client, _ *kmsg.OffsetCommitRequest, resp *kmsg.OffsetCommitResponse, err error) {
		if err != nil {
			cerr = err
			return
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		for _, t := range resp.Topics {
			for _, p := range t.Partitions {
				if e := kerr.ErrorForCode(p.ErrorCode); e != nil {
					if cerr == nil {
						cerr = fmt.Errorf("%s[%d]: %w", t.Topic, p.Partition, e)
					}
					continue
				}
				s.committed[tp{t.Topic, p.Partition}] = offsets[t.Topic][p.Partition].Offset
			}
		}
	})
	if cerr == nil {
		return nil
	}
	if errors.Is(cerr, kerr.RebalanceInProgress) || errors.Is(cerr, kerr.IllegalGeneration) ||
		errors.Is(cerr, kerr.UnknownMemberID) || errors.Is(cerr, kerr.FencedInstanceID) {
		return fmt.Errorf("%w: %w", ErrRebalanced, cerr)
	}
	return fmt.Errorf("kafka: committing offsets of group %q at %s: %w", s.opts.GroupID, s.cfg.where(), cerr)
}

// PartitionState is what the engine needs of one partition for watermarks:
// the processor's watermark is the minimum over partitions that are not
// idle.
type PartitionState struct {
	Topic     string
	Partition int32
	// LastRead is when Read last returned a record of the partition; zero
	// when none was yet.
	LastRead time.Time
	// Idle is true when PartitionIdleTimeout is set and nothing was read
	// from the partition for that long (counted from its assignment if
	// nothing was read since).
	Idle bool
}

// Partitions lists the partitions this source reads now, sorted; the
// engine polls it (the source pushes nothing) to learn of assignments and
// idleness. A partition revoked in a rebalance disappears from the list,
// and its records stop coming; the engine should drop its watermark.
func (s *Source) Partitions() []PartitionState {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	out := make([]PartitionState, 0, len(s.parts))
	for k, st := range s.parts {
		ps := PartitionState{Topic: k.topic, Partition: k.part, LastRead: st.lastRead}
		if d := s.opts.PartitionIdleTimeout; d > 0 {
			ps.Idle = now.Sub(cmpTime(st.lastRead, st.since)) >= d
		}
		out = append(out, ps)
	}
	slices.SortFunc(out, func(a, b PartitionState) int {
		return cmp.Or(strings.Compare(a.Topic, b.Topic), cmp.Compare(a.Partition, b.Partition))
	})
	return out
}

// PartitionsGeneration changes whenever the assignment does, so the engine
// can tell cheaply whether to look at Partitions again.
func (s *Source) PartitionsGeneration() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.generation
}

func cmpTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// Key decodes a message's key for $meta stream.source.key with the
// source's keyFormat. A key not in that format is an error (the message
// goes to the DLQ) under keyFormatError dlq, the default, and its raw
// bytes as binData under passThrough.
func (s *Source) Key(m connectors.Message) (any, error) {
	v, err := s.key.Decode(m.Key)
	if err != nil && s.opts.KeyFormatError == "passThrough" {
		return BinData.Decode(m.Key)
	}
	return v, err
}

// Close leaves the group, so its partitions move to the other members at
// once instead of after the session timeout, and commits nothing.
func (s *Source) Close() error {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		s.closed = true
		s.mu.Unlock()
		s.cl.Close()
	})
	return nil
}

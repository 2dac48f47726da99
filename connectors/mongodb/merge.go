package mongodb

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/weir-stream/weir/connectors"
	"github.com/weir-stream/weir/planner/mql"
)

// $merge's actions.
const (
	Replace      = "replace"
	KeepExisting = "keepExisting"
	MergeFields  = "merge"
	Delete       = "delete"
	Fail         = "fail"
	Insert       = "insert"
	Discard      = "discard"
	// Pipeline is the whenMatched action of a document that
	// MergeOptions.Update computes.
	Pipeline = "pipeline"
)

var (
	whenMatchedActions    = []string{Replace, KeepExisting, MergeFields, Delete, Fail, Pipeline}
	whenNotMatchedActions = []string{Insert, Discard, Fail}
)

// MergeOptions configure a Merge sink.
type MergeOptions struct {
	// DB and Coll are the target of a Doc whose Target is "". Either may
	// be empty when every document carries its own "db.coll" Target.
	DB, Coll string
	// On are the fields that identify the target document; nil is _id.
	// Dotted paths name fields of embedded documents. As for the server's
	// $merge, the target collection should have a unique index on them.
	On []string
	// WhenMatched is replace, keepExisting, merge (the default), delete,
	// fail, or pipeline (then Update is required).
	WhenMatched string
	// WhenNotMatched is insert (the default), discard or fail.
	WhenNotMatched string
	// Update computes the document that replaces existing, for a
	// whenMatched pipeline: the engine evaluates the MQL pipeline (with
	// let's variables and $$new bound to incoming) and this package stays
	// free of the evaluator. An error rejects the document with its
	// message as the reason. A result without _id keeps existing's.
	Update func(existing, incoming bson.D) (bson.D, error)
	// Actions, when set, chooses the actions per document: the
	// expression forms of whenMatched / whenNotMatched, evaluated by the
	// engine. An empty result keeps the static action; an error rejects
	// the document.
	Actions func(doc bson.D) (whenMatched, whenNotMatched string, err error)
	// Parallelism is the number of concurrent writers (default 1).
	// Documents with the same target and on values always go to the same
	// writer, so their order holds.
	Parallelism int
	// MaxAttempts bounds the tries of a write that fails with a retryable
	// error (default 5); Backoff is the first wait (default 100ms),
	// doubled each time up to 5s.
	MaxAttempts int
	Backoff     time.Duration
}

func (o *MergeOptions) validate() error {
	if o.WhenMatched == "" {
		o.WhenMatched = MergeFields
	}
	if o.WhenNotMatched == "" {
		o.WhenNotMatched = Insert
	}
	if !slices.Contains(whenMatchedActions, o.WhenMatched) {
		return fmt.Errorf("$merge.whenMatched: %q is not an action; use one of %s", o.WhenMatched, strings.Join(whenMatchedActions, ", "))
	}
	if !slices.Contains(whenNotMatchedActions, o.WhenNotMatched) {
		return fmt.Errorf("$merge.whenNotMatched: %q is not an action; use one of %s", o.WhenNotMatched, strings.Join(whenNotMatchedActions, ", "))
	}
	if o.WhenMatched == Pipeline && o.Update == nil {
		return errors.New("$merge.whenMatched: a pipeline needs the engine's Update function")
	}
	if len(o.On) == 0 {
		o.On = []string{"_id"}
	}
	for _, f := range o.On {
		if f == "" || strings.HasPrefix(f, "$") {
			return fmt.Errorf("$merge.on: %q is not a field name", f)
		}
	}
	if o.Parallelism < 0 {
		return fmt.Errorf("$merge.parallelism must be positive, found %d", o.Parallelism)
	}
	if o.Parallelism == 0 {
		o.Parallelism = 1
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 5
	}
	if o.Backoff <= 0 {
		o.Backoff = 100 * time.Millisecond
	}
	return nil
}

// MergeOptionsFor fills MergeOptions from a planned $merge: its static
// names, on, actions and parallelism. The engine still sets what needs
// evaluation: Doc.Target for computed db/coll, Update for a whenMatched
// pipeline, Actions for expression actions.
func MergeOptionsFor(m *mql.Merge) MergeOptions {
	o := MergeOptions{
		DB:             m.Into.DB.Name,
		Coll:           m.Into.Coll.Name,
		On:             m.On,
		WhenMatched:    m.WhenMatched.Name,
		WhenNotMatched: m.WhenNotMatched.Name,
		Parallelism:    int(m.Parallelism),
	}
	if m.WhenMatched.Pipeline != nil {
		o.WhenMatched = Pipeline
	}
	return o
}

// Merge is the $merge sink. Write is synchronous: when it returns, every
// document is written, rejected, or the error says the sink failed.
//
// Each action is one operation of an unordered bulk write per target
// where the server can decide it alone, so it costs no read:
//
//	whenMatched \ whenNotMatched   insert                       discard                 fail
//	replace                        replaceOne, upsert           replaceOne              read
//	merge                          updateOne $set, upsert       updateOne $set          read
//	keepExisting                   updateOne $setOnInsert, ups. nothing to do           read
//	delete                         read                         deleteOne               read
//	fail, pipeline                 read                         read                    read
//
// "read" is one find per batch and target ({on: {$in: …}}, or $or for
// several on fields) that says which documents exist, after which each
// document gets the operation its case calls for. Every operation is
// idempotent (an upsert, a delete, an update by key), which is what lets
// a retry resend a whole batch after a network error.
//
// $merge with on = _id gives a document without _id a fresh ObjectID, as
// the server's $merge does; a missing, null or array on field other than
// that is rejected, as the server's $merge refuses it.
type Merge struct {
	client *Client
	opts   MergeOptions
	seed   maphash.Seed
}

var _ connectors.Sink = (*Merge)(nil)

// NewMerge returns a $merge sink on c. The client stays the caller's.
func NewMerge(c *Client, o MergeOptions) (*Merge, error) {
	if err := o.validate(); err != nil {
		return nil, err
	}
	return &Merge{client: c, opts: o, seed: maphash.MakeSeed()}, nil
}

// item is one document on its way, with what Write decided about it.
type item struct {
	doc      connectors.Doc
	write    bson.D // doc.Doc, with a generated _id if it needed one
	target   target
	filter   bson.D // the on fields' equality
	key      string // the on values as a map key
	wm, wnm  string
	fresh    bool // _id generated here: it can't match anything
	existing bson.D
}

type target struct{ db, coll string }

func (t target) String() string { return t.db + "." + t.coll }

// Write merges docs into their targets.
func (m *Merge) Write(ctx context.Context, docs []connectors.Doc) ([]connectors.Rejected, error) {
	var rejected []connectors.Rejected
	shards := make([][]*item, m.opts.Parallelism)
	for _, d := range docs {
		it, reason := m.prepare(d)
		if reason != "" {
			rejected = append(rejected, connectors.Rejected{Doc: d, Reason: reason})
			continue
		}
		if it == nil {
			continue // discarded without a write
		}
		s := 0
		if len(shards) > 1 {
			s = int(maphash.String(m.seed, it.target.String()+"\x00"+it.key) % uint64(len(shards)))
		}
		shards[s] = append(shards[s], it)
	}
	var (
		mu   sync.Mutex
		errs []error
		wg   sync.WaitGroup
	)
	for _, items := range shards {
		if len(items) == 0 {
			continue
		}
		wg.Go(func() {
			rej, err := m.writeShard(ctx, items)
			mu.Lock()
			defer mu.Unlock()
			rejected = append(rejected, rej...)
			if err != nil {
				errs = append(errs, err)
			}
		})
	}
	wg.Wait()
	return rejected, errors.Join(errs...)
}

// prepare resolves a document's target, actions and on values. It returns
// a reason when the document can't be merged, and a nil item when there is
// nothing to write.
func (m *Merge) prepare(d connectors.Doc) (*item, string) {
	it := &item{doc: d, write: d.Doc, wm: m.opts.WhenMatched, wnm: m.opts.WhenNotMatched}
	t, reason := m.targetOf(d.Target)
	if reason != "" {
		return nil, reason
	}
	it.target = t
	if m.opts.Actions != nil {
		wm, wnm, err := m.opts.Actions(d.Doc)
		if err != nil {
			return nil, "$merge: " + err.Error()
		}
		if wm != "" {
			if !slices.Contains(whenMatchedActions, wm) || wm == Pipeline {
				return nil, fmt.Sprintf("$merge.whenMatched evaluated to %q; expected one of replace, keepExisting, merge, delete, fail", wm)
			}
			it.wm = wm
		}
		if wnm != "" {
			if !slices.Contains(whenNotMatchedActions, wnm) {
				return nil, fmt.Sprintf("$merge.whenNotMatched evaluated to %q; expected one of insert, discard, fail", wnm)
			}
			it.wnm = wnm
		}
	}
	var key strings.Builder
	for _, f := range m.opts.On {
		v, ok := lookupPath(d.Doc, f)
		if !ok && f == "_id" && len(m.opts.On) == 1 {
			// A new _id matches nothing: the document is an insert.
			switch it.wnm {
			case Discard:
				return nil, ""
			case Fail:
				return nil, "$merge: the document has no _id, so it matches no document, and whenNotMatched is fail"
			}
			id := bson.NewObjectID()
			it.write = append(bson.D{{Key: "_id", Value: id}}, d.Doc...)
			it.fresh = true
			v, ok = id, true
		}
		switch {
		case !ok:
			return nil, fmt.Sprintf("$merge: the document has no field %q, which $merge.on requires", f)
		case v == nil:
			return nil, fmt.Sprintf("$merge: the document's on field %q is null", f)
		}
		if _, isArr := v.(bson.A); isArr {
			return nil, fmt.Sprintf("$merge: the document's on field %q is an array", f)
		}
		it.filter = append(it.filter, bson.E{Key: f, Value: v})
		k := valueKey(v)
		key.WriteString(strconv.Itoa(len(k)))
		key.WriteByte(':')
		key.WriteString(k)
	}
	it.key = key.String()
	return it, ""
}

// targetOf splits a "db.coll" target, checking what the server would
// refuse for the whole batch (an invalid namespace is a command error,
// not a write error) so that only this document is rejected.
func (m *Merge) targetOf(s string) (target, string) {
	if s == "" {
		if m.opts.DB == "" || m.opts.Coll == "" {
			return target{}, "$merge: the document has no target and the sink has no default db and coll"
		}
		return target{m.opts.DB, m.opts.Coll}, ""
	}
	db, coll, ok := strings.Cut(s, ".")
	switch {
	case !ok || db == "" || coll == "":
		return target{}, fmt.Sprintf("$merge: target %q is not db.coll", s)
	case strings.ContainsAny(db, "/\\. \"$\x00") || len(db) >= 64:
		return target{}, fmt.Sprintf("$merge: %q is not a valid database name", db)
	case strings.ContainsAny(coll, "$\x00") || strings.HasPrefix(coll, "system."):
		return target{}, fmt.Sprintf("$merge: %q is not a collection $merge can write", coll)
	}
	return target{db, coll}, ""
}

// writeShard writes one writer's items. Items with the same target and
// key go in successive rounds: an unordered bulk write may apply its
// operations in any order, and a read-decided action must see the
// previous document's effect.
func (m *Merge) writeShard(ctx context.Context, items []*item) ([]connectors.Rejected, error) {
	var rejected []connectors.Rejected
	for len(items) > 0 {
		seen := map[string]bool{}
		var round, later []*item
		for _, it := range items {
			k := it.target.String() + "\x00" + it.key
			if seen[k] {
				later = append(later, it)
				continue
			}
			seen[k] = true
			round = append(round, it)
		}
		byTarget := map[target][]*item{}
		var order []target
		for _, it := range round {
			if _, ok := byTarget[it.target]; !ok {
				order = append(order, it.target)
			}
			byTarget[it.target] = append(byTarget[it.target], it)
		}
		for _, t := range order {
			rej, err := m.writeTarget(ctx, t, byTarget[t])
			rejected = append(rejected, rej...)
			if err != nil {
				return rejected, err
			}
		}
		items = later
	}
	return rejected, nil
}

// needsRead says whether the server alone can't decide an item's action.
func needsRead(it *item) bool {
	if it.fresh {
		return false
	}
	switch it.wm {
	case Replace, MergeFields:
		return it.wnm == Fail
	case KeepExisting:
		return it.wnm == Fail
	case Delete:
		return it.wnm != Discard
	}
	return true // fail, pipeline
}

// op is an item's write.
type op struct {
	it    *item
	model mongo.WriteModel
}

func (m *Merge) writeTarget(ctx context.Context, t target, items []*item) ([]connectors.Rejected, error) {
	coll := m.client.mongo.Database(t.db).Collection(t.coll)
	var rejected []connectors.Rejected
	reject := func(it *item, reason string) {
		rejected = append(rejected, connectors.Rejected{Doc: it.doc, Reason: reason})
	}
	var toRead []*item
	for _, it := range items {
		if needsRead(it) {
			toRead = append(toRead, it)
		}
	}
	existing := map[string]bson.D{}
	if len(toRead) > 0 {
		var err error
		if existing, err = m.read(ctx, coll, toRead); err != nil {
			return nil, err
		}
	}
	var ops []op
	add := func(it *item, model mongo.WriteModel) { ops = append(ops, op{it, model}) }
	for _, it := range items {
		if it.fresh {
			add(it, mongo.NewInsertOneModel().SetDocument(it.write))
			continue
		}
		if !needsRead(it) {
			switch it.wm {
			case Replace:
				add(it, mongo.NewReplaceOneModel().SetFilter(it.filter).SetReplacement(it.write).SetUpsert(it.wnm == Insert))
			case MergeFields:
				add(it, mongo.NewUpdateOneModel().SetFilter(it.filter).SetUpdate(m.mergeUpdate(it)).SetUpsert(it.wnm == Insert))
			case KeepExisting: // with discard, there is nothing to do
				if it.wnm == Insert {
					add(it, mongo.NewUpdateOneModel().SetFilter(it.filter).SetUpdate(m.keepUpdate(it)).SetUpsert(true))
				}
			case Delete:
				add(it, mongo.NewDeleteOneModel().SetFilter(it.filter))
			}
			continue
		}
		old, matched := existing[it.key]
		if !matched {
			switch it.wnm {
			case Insert:
				// An upsert rather than an insert, so a retry or a
				// concurrent writer can't turn it into a duplicate.
				add(it, mongo.NewReplaceOneModel().SetFilter(it.filter).SetReplacement(it.write).SetUpsert(true))
			case Fail:
				reject(it, fmt.Sprintf("$merge: no document of %s matched on %s, and whenNotMatched is fail", t, filterString(it.filter)))
			}
			continue
		}
		switch it.wm {
		case Replace:
			add(it, mongo.NewReplaceOneModel().SetFilter(it.filter).SetReplacement(it.write))
		case MergeFields:
			add(it, mongo.NewUpdateOneModel().SetFilter(it.filter).SetUpdate(m.mergeUpdate(it)))
		case KeepExisting:
		case Delete:
			add(it, mongo.NewDeleteOneModel().SetFilter(it.filter))
		case Fail:
			reject(it, fmt.Sprintf("$merge: a document of %s matched on %s, and whenMatched is fail", t, filterString(it.filter)))
		case Pipeline:
			nd, err := m.opts.Update(old, it.write)
			if err != nil {
				reject(it, "$merge.whenMatched: "+err.Error())
				continue
			}
			id, hasID := lookupPath(old, "_id")
			if _, ok := lookupPath(nd, "_id"); !ok && hasID {
				nd = append(bson.D{{Key: "_id", Value: id}}, nd...)
			}
			filter := it.filter
			if hasID {
				filter = bson.D{{Key: "_id", Value: id}}
			}
			add(it, mongo.NewReplaceOneModel().SetFilter(filter).SetReplacement(nd))
		}
	}
	if len(ops) == 0 {
		return rejected, nil
	}
	rej, err := m.bulk(ctx, coll, ops)
	return append(rejected, rej...), err
}

// mergeUpdate is whenMatched merge as an update: $set of every field but
// the on fields (which the filter fixes) and _id (immutable; given to an
// inserted document through $setOnInsert when on is not _id).
func (m *Merge) mergeUpdate(it *item) bson.D {
	set := without(it.write, append([]string{"_id"}, m.opts.On...)...)
	var update bson.D
	if len(set) > 0 {
		update = append(update, bson.E{Key: "$set", Value: set})
	}
	if id, ok := lookupPath(it.write, "_id"); ok && !slices.Contains(m.opts.On, "_id") {
		update = append(update, bson.E{Key: "$setOnInsert", Value: bson.D{{Key: "_id", Value: id}}})
	}
	if update == nil {
		// The document is only its key: an update needs an operator.
		update = bson.D{{Key: "$setOnInsert", Value: it.filter}}
	}
	return update
}

// keepUpdate is whenMatched keepExisting as an upsert whose fields are
// set only on insert, so a matching document stays as it is.
func (m *Merge) keepUpdate(it *item) bson.D {
	set := without(it.write, m.opts.On...)
	if len(set) == 0 {
		set = it.filter
	}
	return bson.D{{Key: "$setOnInsert", Value: set}}
}

// read finds which items' on values exist in coll, in one find: the
// whole documents for a pipeline, only the key fields otherwise.
func (m *Merge) read(ctx context.Context, coll *mongo.Collection, items []*item) (map[string]bson.D, error) {
	var filter bson.D
	if len(m.opts.On) == 1 {
		in := make(bson.A, len(items))
		for i, it := range items {
			in[i] = it.filter[0].Value
		}
		filter = bson.D{{Key: m.opts.On[0], Value: bson.D{{Key: "$in", Value: in}}}}
	} else {
		or := make(bson.A, len(items))
		for i, it := range items {
			or[i] = it.filter
		}
		filter = bson.D{{Key: "$or", Value: or}}
	}
	opts := options.Find()
	if !slices.ContainsFunc(items, func(it *item) bool { return it.wm == Pipeline }) {
		proj := bson.D{}
		for _, f := range m.opts.On {
			proj = append(proj, bson.E{Key: f, Value: 1})
		}
		opts.SetProjection(proj)
	}
	var docs []bson.D
	err := withReadRetries(ctx, m.opts.MaxAttempts, m.opts.Backoff, func() error {
		cur, err := coll.Find(ctx, filter, opts)
		if err != nil {
			return err
		}
		docs = nil
		return cur.All(ctx, &docs)
	})
	if err != nil {
		return nil, fmt.Errorf("%s: $merge into %s: reading the documents on matches: %w", m.client.cfg.label(), coll.Database().Name()+"."+coll.Name(), err)
	}
	found := make(map[string]bson.D, len(docs))
	for _, d := range docs {
		var key strings.Builder
		for _, f := range m.opts.On {
			v, _ := lookupPath(d, f)
			k := valueKey(v)
			key.WriteString(strconv.Itoa(len(k)))
			key.WriteByte(':')
			key.WriteString(k)
		}
		found[key.String()] = d
	}
	return found, nil
}

// bulk runs ops as unordered bulk writes until each is written, rejected,
// or the attempts run out.
func (m *Merge) bulk(ctx context.Context, coll *mongo.Collection, ops []op) ([]connectors.Rejected, error) {
	ns := coll.Database().Name() + "." + coll.Name()
	where := fmt.Sprintf("%s: $merge into %s", m.client.cfg.label(), ns)
	var rejected []connectors.Rejected
	pending := ops
	wait := m.opts.Backoff
	for attempt := 1; ; {
		models := make([]mongo.WriteModel, len(pending))
		for i, o := range pending {
			models[i] = o.model
		}
		res, err := coll.BulkWrite(ctx, models, options.BulkWrite().SetOrdered(false))
		if err == nil {
			return rejected, nil
		}
		if ctx.Err() != nil {
			return rejected, ctx.Err()
		}
		var next []op
		var bwe mongo.BulkWriteException
		switch {
		case errors.As(err, &bwe) && len(bwe.WriteErrors) > 0 && !hasLabel(bwe.Labels, "RetryableWriteError") &&
			len(pending) > 1 && updateFailed(pending, bwe) && !updatesAccountedFor(pending, bwe, res):
			// FerretDB v1's update command stops at its first failing
			// statement and reports it at index 0 whatever its place, so
			// the index can't say which document to reject: send each
			// update alone to learn it. Every operation here is
			// idempotent, so resending those already applied is harmless.
			// MongoDB, which reports every statement (each one matched,
			// upserted or failed), doesn't come here.
			var others []op
			for _, o := range pending {
				if !isUpdate(o.model) {
					others = append(others, o)
					continue
				}
				rej, err := m.bulk(ctx, coll, []op{o})
				rejected = append(rejected, rej...)
				if err != nil {
					return rejected, err
				}
			}
			if len(others) == 0 {
				return rejected, nil
			}
			// The inserts were sent too; send them again on their own,
			// where a duplicate of our own _id counts as written.
			next = others
			attempt++
			pending = next
			continue
		case errors.As(err, &bwe) && len(bwe.WriteErrors) > 0 && !hasLabel(bwe.Labels, "RetryableWriteError"):
			for _, we := range bwe.WriteErrors {
				o := pending[we.Index]
				switch {
				case slices.Contains(retryableCodes, we.Code):
					next = append(next, o)
				case we.Code == 11000 && o.it.fresh && attempt > 1:
					// Our own _id, inserted by an attempt whose answer
					// was lost: the document is written.
				default:
					rejected = append(rejected, connectors.Rejected{Doc: o.it.doc, Reason: fmt.Sprintf("$merge into %s: %s", ns, we.Error())})
				}
			}
			// The other operations were applied: the server answers for
			// each statement of an unordered write (FerretDB's partial
			// answers were sorted out above).
			if bwe.WriteConcernError != nil && !retryable(err) {
				return rejected, fmt.Errorf("%s: %w", where, err)
			}
			if len(next) == 0 {
				return rejected, nil
			}
			if !slices.ContainsFunc(bwe.WriteErrors, func(we mongo.BulkWriteError) bool { return slices.Contains(retryableCodes, we.Code) }) {
				pending = next // a resend, not a retry: no wait
				continue
			}
		case retryable(err):
			next = pending
		default:
			return rejected, fmt.Errorf("%s: %w", where, err)
		}
		if attempt >= m.opts.MaxAttempts {
			return rejected, fmt.Errorf("%s: giving up after %d attempts: %w", where, attempt, err)
		}
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return rejected, ctx.Err()
		}
		wait = min(2*wait, 5*time.Second)
		attempt++
		pending = next
	}
}

// updatesAccountedFor says whether the server answered for every update
// of pending: each one matched, upserted or failed. MongoDB does; FerretDB
// v1 stops at the first failure. An update that matched nothing and
// wasn't an upsert isn't counted either, so a batch of those takes the
// slow path, which is correct too.
func updatesAccountedFor(pending []op, bwe mongo.BulkWriteException, res *mongo.BulkWriteResult) bool {
	if res == nil {
		return false
	}
	updates, failed := 0, 0
	for _, o := range pending {
		if isUpdate(o.model) {
			updates++
		}
	}
	for _, we := range bwe.WriteErrors {
		if we.Index < 0 || we.Index >= len(pending) {
			return false
		}
		if isUpdate(pending[we.Index].model) {
			failed++
		}
	}
	return int(res.MatchedCount+res.UpsertedCount)+failed == updates
}

// updateFailed says whether a write error of the bulk write is an
// update's (or, FerretDB's index being unreliable, may be).
func updateFailed(pending []op, bwe mongo.BulkWriteException) bool {
	for _, we := range bwe.WriteErrors {
		if we.Index < 0 || we.Index >= len(pending) || isUpdate(pending[we.Index].model) {
			return true
		}
	}
	return false
}

func isUpdate(m mongo.WriteModel) bool {
	switch m.(type) {
	case *mongo.UpdateOneModel, *mongo.ReplaceOneModel:
		return true
	}
	return false
}

// retryableCodes are the server's codes for a primary that is stepping
// down, shutting down or unreachable: the retryable-writes specification's
// list, for servers and write paths that don't label their errors.
var retryableCodes = []int{6, 7, 89, 91, 189, 262, 9001, 10107, 11600, 11602, 13435, 13436}

// retryable says whether a failed write may succeed when sent again.
func retryable(err error) bool {
	if mongo.IsNetworkError(err) || mongo.IsTimeout(err) {
		return true
	}
	var se mongo.ServerError
	if errors.As(err, &se) {
		if se.HasErrorLabel("RetryableWriteError") {
			return true
		}
		var wce *mongo.WriteConcernError
		var bwe mongo.BulkWriteException
		if errors.As(err, &bwe) {
			wce = bwe.WriteConcernError
		}
		if wce != nil {
			return slices.Contains(retryableCodes, wce.Code)
		}
		for _, c := range retryableCodes {
			if se.HasErrorCode(c) {
				return true
			}
		}
	}
	return false
}

func hasLabel(labels []string, l string) bool { return slices.Contains(labels, l) }

// filterString shows an on filter in relaxed Extended JSON for a reason.
func filterString(f bson.D) string {
	b, err := bson.MarshalExtJSON(f, false, false)
	if err != nil {
		return fmt.Sprint(f)
	}
	return string(b)
}

// Flush returns at once: Write doesn't return before the server has
// acknowledged every write.
func (m *Merge) Flush(context.Context) error { return nil }

// Close releases nothing: the client is shared and closed by its owner.
func (m *Merge) Close() error { return nil }

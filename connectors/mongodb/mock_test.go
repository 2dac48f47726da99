package mongodb

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/event"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/x/mongo/driver"
	"go.mongodb.org/mongo-driver/v2/x/mongo/driver/description"
	"go.mongodb.org/mongo-driver/v2/x/mongo/driver/drivertest"
	"go.mongodb.org/mongo-driver/v2/x/mongo/driver/mnet"
	"go.mongodb.org/mongo-driver/v2/x/mongo/driver/xoptions"
)

// The tests of this file's helpers' users run the driver against scripted
// server replies: the driver's own drivertest.MockDeployment answers each
// command with the next reply of its list, whatever the command was, as a
// replica-set primary. Two things are added around it:
//
//   - a command monitor records every command the driver sent, so a test
//     can assert what weir asked for (the change stream's options, the
//     resume token, the bulk write's documents);
//   - a thin wrapper around the mock's connection turns a reply holding
//     netErrorKey into a network error (the connection dropped before the
//     answer), which the mock alone can't produce mid-script.
//
// A missing reply is a network error too (the mock's "no responses
// remaining"), which the driver may retry: scripts are exact, and tests
// check what was left over with mockServer.left.

// netErrorKey marks a scripted reply that is a network error instead.
const netErrorKey = "$weirNetworkError"

// netError is a reply that fails the read as a dropped connection would.
func netError() bson.D { return bson.D{{Key: netErrorKey, Value: true}} }

// waitKey marks a scripted reply that never comes: the read waits for its
// context to end, as a server holding a getMore open would (or two
// seconds, then fails as a dropped connection).
const waitKey = "$weirWait"

func waitReply() bson.D { return bson.D{{Key: waitKey, Value: true}} }

// mockServer is a Client on a MockDeployment, with what it was sent.
type mockServer struct {
	*drivertest.MockDeployment
	client *Client

	mu      sync.Mutex
	sent    []bson.Raw // the commands, in order
	replies int        // replies handed out so far
	total   int        // replies scripted so far
}

var (
	_ driver.Deployment = (*mockServer)(nil)
	_ driver.Server     = (*mockServer)(nil)
)

// newMockServer returns a client of connection name on a scripted server
// holding replies.
func newMockServer(t *testing.T, name string, replies ...bson.D) *mockServer {
	t.Helper()
	ms := &mockServer{MockDeployment: drivertest.NewMockDeployment()}
	ms.reply(replies...)
	opts := options.Client().SetMonitor(&event.CommandMonitor{Started: func(_ context.Context, e *event.CommandStartedEvent) {
		ms.mu.Lock()
		defer ms.mu.Unlock()
		ms.sent = append(ms.sent, bson.Raw(slices.Clone([]byte(e.Command))))
	}})
	if err := xoptions.SetInternalClientOptions(opts, "deployment", driver.Deployment(ms)); err != nil {
		t.Fatal(err)
	}
	mc, err := mongo.Connect(opts)
	if err != nil {
		t.Fatal(err)
	}
	ms.client = &Client{cfg: Config{Name: name, URI: "mongodb://mock.invalid:27017/?replicaSet=rs0"}, mongo: mc}
	t.Cleanup(func() {
		// Disconnecting may send endSessions, which the script doesn't
		// answer: its error is the mock's, not the code's.
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_ = mc.Disconnect(ctx)
	})
	return ms
}

// reply appends replies to the script.
func (ms *mockServer) reply(replies ...bson.D) {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	ms.total += len(replies)
	ms.AddResponses(replies...)
}

// left is the number of scripted replies not yet read.
func (ms *mockServer) left() int {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	return ms.total - ms.replies
}

// commands returns the commands sent so far named name ("" for all).
func (ms *mockServer) commands(name string) []bson.Raw {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	var out []bson.Raw
	for _, c := range ms.sent {
		if name == "" || commandName(c) == name {
			out = append(out, c)
		}
	}
	return out
}

// names lists the names of the commands sent so far, in order.
func (ms *mockServer) names() []string {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	var out []string
	for _, c := range ms.sent {
		out = append(out, commandName(c))
	}
	return out
}

// forget clears the commands recorded so far.
func (ms *mockServer) forget() {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	ms.sent = nil
}

func commandName(c bson.Raw) string {
	els, err := c.Elements()
	if err != nil || len(els) == 0 {
		return ""
	}
	return els[0].Key()
}

// SelectServer returns the wrapper, so Connection below is used.
func (ms *mockServer) SelectServer(context.Context, description.ServerSelector) (driver.Server, error) {
	return ms, nil
}

// Connection wraps the mock's connection to count replies and turn the
// marked ones into network errors.
func (ms *mockServer) Connection(ctx context.Context) (*mnet.Connection, error) {
	c, err := ms.MockDeployment.Connection(ctx)
	if err != nil {
		return nil, err
	}
	return mnet.NewConnection(&faultyConn{ReadWriteCloser: c.ReadWriteCloser, Describer: c.Describer, ms: ms}), nil
}

type faultyConn struct {
	mnet.ReadWriteCloser
	mnet.Describer
	ms *mockServer
}

var errDropped = errors.New("connection reset by peer (scripted)")

func (c *faultyConn) Read(ctx context.Context) ([]byte, error) {
	wm, err := c.ReadWriteCloser.Read(ctx)
	if err != nil {
		return nil, err
	}
	c.ms.mu.Lock()
	c.ms.replies++
	c.ms.mu.Unlock()
	// An OP_MSG reply: a 16-byte header, 4 bytes of flags, a section kind
	// byte, then the document.
	if len(wm) > 21 {
		if _, err := bson.Raw(wm[21:]).LookupErr(netErrorKey); err == nil {
			return nil, errDropped
		}
		if _, err := bson.Raw(wm[21:]).LookupErr(waitKey); err == nil {
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(2 * time.Second): // a test gone wrong: don't hang it
				return nil, errDropped
			}
		}
	}
	return wm, nil
}

// cursorReply is a server's answer to aggregate (batch "firstBatch") or
// getMore ("nextBatch"): a cursor on ns with id (0: exhausted) and, for a
// change stream, its postBatchResumeToken when pbrt is not nil.
func cursorReply(id int64, ns, batch string, pbrt bson.D, docs ...bson.D) bson.D {
	arr := bson.A{}
	for _, d := range docs {
		arr = append(arr, d)
	}
	cur := bson.D{{Key: "id", Value: id}, {Key: "ns", Value: ns}, {Key: batch, Value: arr}}
	if pbrt != nil {
		cur = append(cur, bson.E{Key: "postBatchResumeToken", Value: pbrt})
	}
	return bson.D{{Key: "ok", Value: 1}, {Key: "cursor", Value: cur}}
}

// commandError is a server's refusal of a whole command.
func commandError(code int32, name, msg string, labels ...string) bson.D {
	d := bson.D{{Key: "ok", Value: 0}, {Key: "code", Value: code}, {Key: "codeName", Value: name}, {Key: "errmsg", Value: msg}}
	if len(labels) > 0 {
		a := bson.A{}
		for _, l := range labels {
			a = append(a, l)
		}
		d = append(d, bson.E{Key: "errorLabels", Value: a})
	}
	return d
}

func okReply(elems ...bson.E) bson.D {
	return append(bson.D{{Key: "ok", Value: 1}}, elems...)
}

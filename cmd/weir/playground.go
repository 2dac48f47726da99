package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/weir-stream/weir/connectors"
	"github.com/weir-stream/weir/connectors/registry"
	"github.com/weir-stream/weir/exec"
	"github.com/weir-stream/weir/pgwire"
	"github.com/weir-stream/weir/planner/mql"
)

// The playground is `make run`: in one process, an embedded Kafka broker
// (kfake), an embedded MongoDB-wire server (FerretDB v1 on SQLite), a
// generator of orders and sales, the seeds' two use cases running on the
// streaming runtime, and the PostgreSQL wire endpoint. Everything a user
// needs to see weir work with no installs, and every address printed so
// kcat, mongosh and psql can join.

// playgroundConfig is what the flags set; tests use free ports.
type playgroundConfig struct {
	dataDir string
	// kafka, mongo and pg are listen addresses; "" is the usual port
	// (9092, 27017, 7432) when free, else any free port.
	kafka, mongo, pg string
	// rate is orders per second.
	rate float64
	// pollInterval is how often the sales change stream's poll fallback
	// looks for new inserts.
	pollInterval time.Duration
}

// playgroundInfo is where the playground's servers listen.
type playgroundInfo struct {
	Kafka, Mongo, PG string
}

// The seeds' use cases, on the playground's connections. Seed 1 reads the
// sales collection's documents (fullDocumentOnly, the fix its lint
// suggests: $match on amount sees the sale, not the change event); seed 2
// is as written, with the playground's connection names.
var playgroundPipelines = []struct{ name, pipeline string }{
	{"high-value-sales", `[
  {"$source": {"connectionName": "mongo", "db": "store", "coll": "sales", "config": {"fullDocumentOnly": true}}},
  {"$match": {"amount": {"$gt": 1000}}},
  {"$merge": {"into": {"connectionName": "mongo", "db": "store", "coll": "highValueSales"}}}
]`},
	{"customer-spending", `[
  {"$source": {"connectionName": "kafka", "topic": "orders", "config": {"auto_offset_reset": "earliest"}}},
  {"$lookup": {"from": {"connectionName": "mongo", "db": "retail", "coll": "customers"},
               "localField": "customerId", "foreignField": "_id", "as": "customerInfo"}},
  {"$unwind": "$customerInfo"},
  {"$setWindowFields": {"partitionBy": "$customerId", "sortBy": {"orderTime": 1},
     "output": {"totalSpent": {"$sum": "$amount", "window": {"range": [-5, "minute"], "unit": "minute"}}}}},
  {"$project": {"customerId": 1, "customerName": "$customerInfo.name", "totalSpent": 1, "windowEnd": "$orderTime"}},
  {"$emit": {"connectionName": "kafka", "topic": "customer-spending"}}
]`},
}

// playgroundCustomers seeds retail.customers: examples/data/retail's
// customers, built in so the playground runs from any directory. c5 has
// no customer, as in the examples, so the join drops its orders.
var playgroundCustomers = []bson.D{
	{{Key: "_id", Value: "c1"}, {Key: "name", Value: "Ada Lovelace"}, {Key: "tier", Value: "gold"}},
	{{Key: "_id", Value: "c2"}, {Key: "name", Value: "Grace Hopper"}, {Key: "tier", Value: "silver"}},
	{{Key: "_id", Value: "c3"}, {Key: "name", Value: "Edsger Dijkstra"}, {Key: "tier", Value: "gold"}},
	{{Key: "_id", Value: "c4"}, {Key: "name", Value: "Barbara Liskov"}, {Key: "tier", Value: "bronze"}},
}

func runPlayground(args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("playground", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg := playgroundConfig{}
	fs.StringVar(&cfg.dataDir, "data", filepath.Join(".weir", "playground"), "directory for the MongoDB-wire server's SQLite files and the engine's state")
	fs.StringVar(&cfg.kafka, "kafka", "", "Kafka listen address (default 127.0.0.1:9092, or a free port when taken)")
	fs.StringVar(&cfg.mongo, "mongo", "", "MongoDB listen address (default 127.0.0.1:27017, or a free port when taken)")
	fs.StringVar(&cfg.pg, "pg", "", "PostgreSQL wire listen address (default 127.0.0.1:7432, or a free port when taken)")
	fs.Float64Var(&cfg.rate, "rate", 2, "orders generated per second")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: weir playground [--data DIR] [--kafka ADDR] [--mongo ADDR] [--pg ADDR] [--rate N]")
		fmt.Fprintln(stderr, "Starts an embedded Kafka broker, an embedded MongoDB-wire server, an order generator and the")
		fmt.Fprintln(stderr, "seeds' two stream processors, and serves PostgreSQL clients. Ctrl-C stops everything.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return usageError{err}
	}
	if fs.NArg() != 0 || cfg.rate <= 0 {
		fs.Usage()
		return badInput("weir playground: unexpected arguments, or --rate not positive")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		stop() // a second Ctrl-C kills at once
	}()
	return playground(ctx, cfg, stdout, stderr, nil)
}

// listenAddr is addr, or 127.0.0.1:port when that is free, else a free
// port: two playgrounds (or a real Kafka on 9092) must not stop this one.
func listenAddr(addr string, port int) string {
	if addr != "" {
		return addr
	}
	want := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	l, err := net.Listen("tcp", want)
	if err != nil {
		return "127.0.0.1:0"
	}
	l.Close()
	return want
}

// playground runs until ctx ends, then stops everything in order:
// generator, processors (which flush and commit), the PostgreSQL endpoint,
// then the servers. ready, when set, is called once everything runs.
func playground(ctx context.Context, cfg playgroundConfig, stdout, stderr io.Writer, ready func(playgroundInfo)) (err error) {
	if cfg.rate <= 0 {
		cfg.rate = 2
	}
	if cfg.pollInterval <= 0 {
		cfg.pollInterval = 500 * time.Millisecond
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	dataDir, err := filepath.Abs(cfg.dataDir)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(dataDir, "mongo"), 0o755); err != nil {
		return fmt.Errorf("weir playground: %w", err)
	}

	// Kafka: kfake, in memory, so every start begins with empty topics.
	kaddr := listenAddr(cfg.kafka, 9092)
	_, kport, _ := net.SplitHostPort(kaddr)
	kp, _ := strconv.Atoi(kport)
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.Ports(kp),
		kfake.SeedTopics(1, "orders", "customer-spending"),
		kfake.AllowAutoTopicCreation(), kfake.DefaultNumPartitions(1))
	if err != nil {
		return fmt.Errorf("weir playground: starting the Kafka broker on %s: %w", kaddr, err)
	}
	defer cluster.Close()
	kafkaAddr := cluster.ListenAddrs()[0]

	// MongoDB wire: FerretDB on SQLite under the data directory, so the
	// collections survive a restart.
	fdb, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: listenAddr(cfg.mongo, 27017)},
		Handler:   "sqlite",
		SQLiteURL: "file:" + filepath.Join(dataDir, "mongo") + "/",
		// FerretDB logs every connection at info level.
		Logger: slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelError})),
	})
	if err != nil {
		return fmt.Errorf("weir playground: starting the MongoDB-wire server: %w", err)
	}
	fctx, stopFerret := context.WithCancel(context.Background())
	ferretDone := make(chan struct{})
	go func() {
		defer close(ferretDone)
		fdb.Run(fctx)
	}()
	defer func() {
		stopFerret()
		<-ferretDone
	}()
	mongoURI := fdb.MongoDBURI()
	mongoAddr := mongoURI[len("mongodb://") : len(mongoURI)-1]

	// The seeds' connections, named as the playground names them.
	reg := registry.New()
	kconn, err := registry.ParseURI("kafka", "kafka://"+kafkaAddr)
	if err != nil {
		return err
	}
	mconn, err := registry.FromOptions("mongo", "mongodb", map[string]any{
		"uri": mongoURI, "fallback": "poll", "poll_interval": cfg.pollInterval.String(),
	})
	if err != nil {
		return err
	}
	reg.Add(kconn)
	reg.Add(mconn)

	client, err := mongo.Connect(options.Client().ApplyURI(mongoURI).SetServerSelectionTimeout(10 * time.Second))
	if err != nil {
		return fmt.Errorf("weir playground: %w", err)
	}
	defer client.Disconnect(context.Background())
	if err := seedPlayground(ctx, client); err != nil {
		return fmt.Errorf("weir playground: seeding retail.customers: %w", err)
	}

	// The engine: the playground's connections, its two processors as
	// engine processors (SHOW STREAM PROCESSORS lists them with live
	// counters; STOP and START work on them), and every query psql runs.
	//
	// The embedded broker keeps its topics in memory, so the Kafka
	// offsets in the previous run's checkpoints point into data that is
	// gone: processors start without them (their definitions and states
	// stay).
	if err := os.RemoveAll(filepath.Join(dataDir, "engine", "checkpoints")); err != nil {
		return fmt.Errorf("weir playground: %w", err)
	}
	eng, err := exec.OpenEngine(exec.EngineConfig{
		StateDir: filepath.Join(dataDir, "engine"), Registry: reg, CreateTopics: true,
		Tick: 500 * time.Millisecond, FlushEvery: 500 * time.Millisecond, Logger: log,
	})
	if err != nil {
		return fmt.Errorf("weir playground: %w", err)
	}
	// However the playground ends, processors stop (flushing and
	// committing) before the servers do.
	defer eng.Close()
	for _, pp := range playgroundPipelines {
		p, _, err := mql.Decode([]byte(pp.pipeline))
		if err != nil {
			return fmt.Errorf("weir playground: %s: %w", pp.name, err)
		}
		p.Name = pp.name
		// OR REPLACE: the previous run's processor, restarted from the
		// state directory, gives way to this one.
		if err := eng.CreateProcessor(p, true); err != nil {
			return fmt.Errorf("weir playground: %s: %w", pp.name, err)
		}
		if err := eng.StartProcessor(p.Name); err != nil {
			return fmt.Errorf("weir playground: %s: %w", pp.name, err)
		}
	}

	// The generator: orders to Kafka, sales to MongoDB.
	gctx, stopGen := context.WithCancel(context.Background())
	genDone := make(chan error, 1)
	go func() { genDone <- generate(gctx, kafkaAddr, client, cfg.rate) }()
	defer func() {
		stopGen()
		<-genDone
	}()

	// The PostgreSQL endpoint, over the same engine.
	srv := &pgwire.Server{Engine: eng, Logger: log}
	pl, err := net.Listen("tcp", listenAddr(cfg.pg, 7432))
	if err != nil {
		return fmt.Errorf("weir playground: PostgreSQL endpoint: %w", err)
	}
	go srv.Serve(pl)
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	}()

	info := playgroundInfo{Kafka: kafkaAddr, Mongo: mongoAddr, PG: pl.Addr().String()}
	printPlayground(stdout, info, dataDir)
	if ready != nil {
		ready(info)
	}
	select {
	case <-ctx.Done():
		fmt.Fprintln(stdout, "\nweir playground: stopping: processors flush their sinks and commit, then the servers stop")
	case err := <-genDone:
		genDone <- err // for the deferred wait
		if err != nil {
			return fmt.Errorf("weir playground: generator: %w", err)
		}
	}
	// Stop in order: no more input, processors flush and commit while the
	// servers still answer, then the deferred calls stop the servers.
	stopGen()
	eng.Close()
	var failed error
	for _, pi := range eng.Processors() {
		fmt.Fprintf(stdout, "  %-18s read %d, wrote %d, %d to the DLQ\n", pi.Name, pi.In, pi.Out, pi.DLQ)
		if pi.State == exec.StateFailed && failed == nil {
			failed = fmt.Errorf("weir playground: processor %s: %s", pi.Name, pi.LastError)
		}
	}
	return failed
}

func seedPlayground(ctx context.Context, client *mongo.Client) error {
	customers := client.Database("retail").Collection("customers")
	if err := customers.Drop(ctx); err != nil {
		return err
	}
	docs := make([]any, len(playgroundCustomers))
	for i, c := range playgroundCustomers {
		docs[i] = c
	}
	_, err := customers.InsertMany(ctx, docs)
	return err
}

// generate produces a few orders a second to topic orders, and inserts
// each as a sale into store.sales, until ctx ends.
func generate(ctx context.Context, broker string, client *mongo.Client, rate float64) error {
	cl, err := kgo.NewClient(kgo.SeedBrokers(broker), kgo.DefaultProduceTopic("orders"))
	if err != nil {
		return err
	}
	defer cl.Close()
	sales := client.Database("store").Collection("sales")
	stores := []string{"berlin", "osaka", "lima", "accra"}
	items := []string{"keyboard", "mouse", "monitor", "dock", "laptop", "headset"}
	tick := time.NewTicker(time.Duration(float64(time.Second) / rate))
	defer tick.Stop()
	for id := int64(1); ; id++ {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
		now := time.Now().UTC()
		// About one order in four is over 1000: high-value sales show up
		// within seconds.
		amount := float64(rand.IntN(90000)+1000) / 100
		if rand.IntN(4) == 0 {
			amount = float64(rand.IntN(200000)+100100) / 100
		}
		var basket bson.A
		for range rand.IntN(3) + 1 {
			basket = append(basket, items[rand.IntN(len(items))])
		}
		order := bson.D{
			{Key: "orderId", Value: id},
			{Key: "customerId", Value: fmt.Sprintf("c%d", rand.IntN(5)+1)},
			{Key: "amount", Value: amount},
			{Key: "orderTime", Value: bson.NewDateTimeFromTime(now)},
			{Key: "items", Value: basket},
		}
		line, err := connectors.MarshalLine(order)
		if err != nil {
			return err
		}
		if err := cl.ProduceSync(ctx, &kgo.Record{Value: line[:len(line)-1], Timestamp: now}).FirstErr(); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("producing to orders: %w", err)
		}
		sale := bson.D{
			{Key: "_id", Value: bson.NewObjectIDFromTimestamp(now)},
			{Key: "orderId", Value: id},
			{Key: "store", Value: stores[rand.IntN(len(stores))]},
			{Key: "amount", Value: amount},
			{Key: "soldAt", Value: bson.NewDateTimeFromTime(now)},
		}
		if _, err := sales.InsertOne(ctx, sale); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("inserting into store.sales: %w", err)
		}
	}
}

func printPlayground(w io.Writer, info playgroundInfo, dataDir string) {
	phost, pport, _ := net.SplitHostPort(info.PG)
	fmt.Fprintf(w, `weir playground is running (data in %s). Ctrl-C stops it.

  Kafka      %s   topics: orders (generated), customer-spending (processor 2)
  MongoDB    %s   store.sales (generated), store.highValueSales (processor 1), retail.customers
  PostgreSQL %s

Processors (connections "kafka" and "mongo"):
  1. high-value-sales    mongo.store.sales (change stream; FerretDB has none, so inserts are polled)
                         → amount > 1000 → $merge into mongo.store.highValueSales
  2. customer-spending   kafka.orders ⨝ mongo.retail.customers → 5-minute running spend per customer
                         ($setWindowFields) → $emit to kafka topic customer-spending

Watch them:
  kcat -b %s -C -t customer-spending
  kcat -b %s -C -t orders
  mongosh mongodb://%s/store --eval 'db.highValueSales.find().sort({_id: -1}).limit(5)'
  psql -h %s -p %s -U weir

In psql, try:
  SHOW STREAM PROCESSORS;
  SELECT customerId, amount, items FROM kafka.orders LIMIT 5;
  SELECT customerId, customerName, totalSpent FROM kafka."customer-spending" LIMIT 5;
  SELECT customerId, amount FROM kafka.orders WHERE amount > 1000 LIMIT 3;

Or run a query of your own against the same broker (Ctrl-C stops it):
  echo 'SELECT customerId, amount FROM kafka.orders WHERE amount > 1000;' | bin/weir run --conn kafka=kafka://%s -
`, dataDir, info.Kafka, info.Mongo, info.PG, info.Kafka, info.Kafka, info.Mongo, phost, pport, info.Kafka)
}

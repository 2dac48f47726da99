package exec

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/weir-stream/weir/planner/mql"
)

// winCase runs one $setWindowFields output the way the stage does:
// partition by partitionBy (a field), sort each partition stably by
// sortBy, compute, and report each document's value by its _id.
type winCase struct {
	docs        []string
	partitionBy string
	sortBy      string // {"field": 1}
	fn          string // the window function, without "window"
	window      string // "" for none
}

func (c winCase) run(t *testing.T) (map[int32]any, error) {
	t.Helper()
	var docs []bson.D
	for _, d := range c.docs {
		docs = append(docs, parseDoc(t, d))
	}
	var sortBy []mql.SortKey
	if c.sortBy != "" {
		for _, e := range parseDoc(t, c.sortBy) {
			o, _ := exactInt(e.Value)
			sortBy = append(sortBy, mql.SortKey{Path: e.Key, Order: int(o)})
		}
	}
	var bounds *mql.WindowBounds
	if c.window != "" {
		bounds = &mql.WindowBounds{}
		for _, e := range parseDoc(t, c.window) {
			switch e.Key {
			case "documents", "range":
				a := e.Value.(bson.A)
				bounds.Range, bounds.Lo, bounds.Hi = e.Key == "range", a[0], a[1]
			case "unit":
				bounds.Unit = e.Value.(string)
			}
		}
	}
	fn, err := mql.ParseAccumulator(parseJSON(t, c.fn), "")
	if err != nil {
		t.Fatalf("parse %s: %v", c.fn, err)
	}
	wf, err := NewWindowFunc(fn, bounds, sortBy)
	if err != nil {
		return nil, err
	}
	parts := map[string][]bson.D{}
	var order []string
	for _, d := range docs {
		k := ""
		if c.partitionBy != "" {
			k = fmt.Sprint(queryPathValue(d, c.partitionBy))
		}
		if _, ok := parts[k]; !ok {
			order = append(order, k)
		}
		parts[k] = append(parts[k], d)
	}
	out := map[int32]any{}
	for _, k := range order {
		p := parts[k]
		slices.SortStableFunc(p, func(a, b bson.D) int {
			for _, s := range sortBy {
				if c := Compare(SortKey(queryPathValue(a, s.Path), s.Order < 0), SortKey(queryPathValue(b, s.Path), s.Order < 0)); c != 0 {
					return c * s.Order
				}
			}
			return 0
		})
		vals, err := wf.Compute(p, nil)
		if err != nil {
			return nil, err
		}
		if len(vals) != len(p) {
			t.Fatalf("%d values for %d documents", len(vals), len(p))
		}
		for i, d := range p {
			id, _ := docGet(d, "_id")
			out[id.(int32)] = vals[i]
		}
	}
	return out, nil
}

// check compares by _id; floats within 1e-9 relative, as MongoDB's online
// algorithms may differ from ours in the last digits.
func (c winCase) check(t *testing.T, want map[int32]any) {
	t.Helper()
	got, err := c.run(t)
	if err != nil {
		t.Fatalf("%s: %v", c.fn, err)
	}
	for id, w := range want {
		g := got[id]
		if gf, ok := g.(float64); ok {
			if wf, ok := w.(float64); ok && math.Abs(gf-wf) <= 1e-9*math.Max(1, math.Abs(wf)) {
				continue
			}
		}
		if !winSame(g, w) {
			t.Errorf("%s window %s: _id %d got %v (%T), want %v (%T)", c.fn, c.window, id, g, g, w, w)
		}
	}
}

func winSame(a, b any) bool {
	return TypeName(a) == TypeName(b) && Equal(a, b)
}

// The cakeSales collection of MongoDB's $setWindowFields page.
var cakeSales = []string{
	`{"_id": 0, "type": "chocolate", "orderDate": {"$date": "2020-05-18T14:10:30Z"}, "state": "CA", "price": 13, "quantity": 120}`,
	`{"_id": 1, "type": "chocolate", "orderDate": {"$date": "2021-03-20T11:30:05Z"}, "state": "WA", "price": 14, "quantity": 140}`,
	`{"_id": 2, "type": "vanilla", "orderDate": {"$date": "2021-01-11T06:31:15Z"}, "state": "CA", "price": 12, "quantity": 145}`,
	`{"_id": 3, "type": "vanilla", "orderDate": {"$date": "2020-02-08T13:13:23Z"}, "state": "WA", "price": 13, "quantity": 104}`,
	`{"_id": 4, "type": "strawberry", "orderDate": {"$date": "2019-05-18T16:09:01Z"}, "state": "CA", "price": 41, "quantity": 162}`,
	`{"_id": 5, "type": "strawberry", "orderDate": {"$date": "2019-01-08T06:12:03Z"}, "state": "WA", "price": 43, "quantity": 134}`,
}

func date(t *testing.T, s string) bson.DateTime {
	t.Helper()
	v, _ := docGet(parseDoc(t, `{"d": {"$date": "`+s+`"}}`), "d")
	return v.(bson.DateTime)
}

// $setWindowFields page: cumulative quantity per state, by order date.
func TestWindowDocsCumulativeSum(t *testing.T) {
	winCase{cakeSales, "state", `{"orderDate": 1}`, `{"$sum": "$quantity"}`, `{"documents": ["unbounded", "current"]}`}.
		check(t, map[int32]any{4: int32(162), 0: int32(282), 2: int32(427), 5: int32(134), 3: int32(238), 1: int32(378)})
}

// $setWindowFields page: average of the previous, current and next
// document's quantity.
func TestWindowDocsMovingAverage(t *testing.T) {
	winCase{cakeSales, "state", `{"orderDate": 1}`, `{"$avg": "$quantity"}`, `{"documents": [-1, 1]}`}.
		check(t, map[int32]any{4: 141.0, 0: 427.0 / 3, 2: 132.5, 5: 119.0, 3: 126.0, 1: 122.0})
}

// $setWindowFields page: quantity of orders whose price is within 10 of
// this one's.
func TestWindowDocsRangeSum(t *testing.T) {
	winCase{cakeSales, "state", `{"price": 1}`, `{"$sum": "$quantity"}`, `{"range": [-10, 10]}`}.
		check(t, map[int32]any{2: int32(265), 0: int32(265), 4: int32(162), 3: int32(244), 1: int32(244), 5: int32(134)})
}

// $setWindowFields page: orders up to 10 months after each one, a
// calendar unit.
func TestWindowDocsRangeMonths(t *testing.T) {
	c := winCase{cakeSales, "state", `{"orderDate": 1}`, `{"$push": "$orderDate"}`, `{"range": ["unbounded", 10], "unit": "month"}`}
	d := func(s string) bson.DateTime { return date(t, s) }
	c.check(t, map[int32]any{
		4: bson.A{d("2019-05-18T16:09:01Z")},
		0: bson.A{d("2019-05-18T16:09:01Z"), d("2020-05-18T14:10:30Z"), d("2021-01-11T06:31:15Z")},
		5: bson.A{d("2019-01-08T06:12:03Z")},
		3: bson.A{d("2019-01-08T06:12:03Z"), d("2020-02-08T13:13:23Z")},
		1: bson.A{d("2019-01-08T06:12:03Z"), d("2020-02-08T13:13:23Z"), d("2021-03-20T11:30:05Z")},
	})
}

// Accumulators without a window take the whole partition, as MongoDB's
// default window is ["unbounded", "unbounded"].
func TestWindowDefaultIsPartition(t *testing.T) {
	winCase{cakeSales, "state", `{"orderDate": 1}`, `{"$max": "$quantity"}`, ``}.
		check(t, map[int32]any{4: int32(162), 0: int32(162), 2: int32(162), 1: int32(140)})
	winCase{cakeSales, "state", ``, `{"$count": {}}`, ``}.check(t, map[int32]any{0: int32(3), 5: int32(3)})
}

// The seed's $setWindowFields: each customer's spending over the five
// minutes up to and including each order.
func TestWindowSeedFiveMinuteSpend(t *testing.T) {
	orders := []string{
		`{"_id": 1, "customerId": "c1", "amount": 10, "orderTime": {"$date": "2026-11-23T09:00:00Z"}}`,
		`{"_id": 2, "customerId": "c2", "amount": 7, "orderTime": {"$date": "2026-11-23T09:01:00Z"}}`,
		`{"_id": 3, "customerId": "c1", "amount": 20.5, "orderTime": {"$date": "2026-11-23T09:03:00Z"}}`,
		`{"_id": 4, "customerId": "c1", "amount": 5, "orderTime": {"$date": "2026-11-23T09:05:00Z"}}`,
		`{"_id": 5, "customerId": "c1", "amount": 1, "orderTime": {"$date": "2026-11-23T09:05:01Z"}}`,
		`{"_id": 6, "customerId": "c2", "amount": 3, "orderTime": {"$date": "2026-11-23T09:07:00Z"}}`,
	}
	winCase{orders, "customerId", `{"orderTime": 1}`, `{"$sum": "$amount"}`, `{"range": [-5, "current"], "unit": "minute"}`}.
		check(t, map[int32]any{
			1: int32(10), 3: 30.5,
			4: 35.5, // 09:00:00 is exactly five minutes back: bounds are inclusive
			5: 26.5, // 09:00:00 has left the window
			2: int32(7), 6: int32(3),
		})
}

// $documentNumber, $rank and $denseRank pages: ties share a rank; $rank
// leaves gaps after them, $denseRank does not.
func TestWindowRanks(t *testing.T) {
	docs := []string{
		`{"_id": 1, "score": 90}`, `{"_id": 2, "score": 80}`, `{"_id": 3, "score": 90}`,
		`{"_id": 4, "score": 70}`, `{"_id": 5, "score": 80}`,
	}
	c := winCase{docs, "", `{"score": -1}`, `{"$rank": {}}`, ``}
	c.check(t, map[int32]any{1: int32(1), 3: int32(1), 2: int32(3), 5: int32(3), 4: int32(5)})
	c.fn = `{"$denseRank": {}}`
	c.check(t, map[int32]any{1: int32(1), 3: int32(1), 2: int32(2), 5: int32(2), 4: int32(3)})
	c.fn = `{"$documentNumber": {}}`
	c.check(t, map[int32]any{1: int32(1), 3: int32(2), 2: int32(3), 5: int32(4), 4: int32(5)})
	// The $rank page: cake sales ranked by quantity in each state.
	winCase{cakeSales, "state", `{"quantity": -1}`, `{"$rank": {}}`, ``}.
		check(t, map[int32]any{4: int32(1), 2: int32(2), 0: int32(3), 1: int32(1), 5: int32(2), 3: int32(3)})
}

// $shift page: the next order's quantity by descending quantity, "Not
// available" past the end.
func TestWindowShift(t *testing.T) {
	c := winCase{cakeSales, "state", `{"quantity": -1}`, `{"$shift": {"output": "$quantity", "by": 1, "default": "Not available"}}`, ``}
	c.check(t, map[int32]any{4: int32(145), 2: int32(120), 0: "Not available", 1: int32(134), 5: int32(104), 3: "Not available"})
	c.fn = `{"$shift": {"output": "$quantity", "by": -1}}`
	c.check(t, map[int32]any{4: nil, 2: int32(162), 0: int32(145)})
}

// $derivative page: average truck speed in miles per hour over the
// 30 seconds up to each reading.
func TestWindowDerivative(t *testing.T) {
	fleet := []string{
		`{"_id": 1, "truckID": "1", "timeStamp": {"$date": "2020-05-18T14:10:30Z"}, "miles": 1295.1}`,
		`{"_id": 2, "truckID": "1", "timeStamp": {"$date": "2020-05-18T14:11:00Z"}, "miles": 1295.63}`,
		`{"_id": 3, "truckID": "1", "timeStamp": {"$date": "2020-05-18T14:11:30Z"}, "miles": 1296.25}`,
		`{"_id": 4, "truckID": "1", "timeStamp": {"$date": "2020-05-18T14:12:00Z"}, "miles": 1296.76}`,
		`{"_id": 5, "truckID": "2", "timeStamp": {"$date": "2020-05-18T14:10:30Z"}, "miles": 10234.1}`,
		`{"_id": 6, "truckID": "2", "timeStamp": {"$date": "2020-05-18T14:11:00Z"}, "miles": 10234.33}`,
		`{"_id": 7, "truckID": "2", "timeStamp": {"$date": "2020-05-18T14:11:30Z"}, "miles": 10234.73}`,
		`{"_id": 8, "truckID": "2", "timeStamp": {"$date": "2020-05-18T14:12:00Z"}, "miles": 10235.13}`,
	}
	winCase{fleet, "truckID", `{"timeStamp": 1}`, `{"$derivative": {"input": "$miles", "unit": "hour"}}`, `{"range": [-30, 0], "unit": "second"}`}.
		check(t, map[int32]any{
			1: nil, 2: 63.60000000002401, 3: 74.3999999999869, 4: 61.199999999998916,
			5: nil, 6: 27.599999999970896, 7: 48.00000000002183, 8: 47.99999999996071,
		})
}

// $integral page: kilowatt-hours used up to each reading (trapezoidal).
// The last value is the trapezoid rule worked by hand over this data.
func TestWindowIntegral(t *testing.T) {
	meters := []string{
		`{"_id": 1, "powerMeterID": "1", "timeStamp": {"$date": "2020-05-18T14:10:30Z"}, "kilowatts": 2.95}`,
		`{"_id": 2, "powerMeterID": "1", "timeStamp": {"$date": "2020-05-18T14:11:00Z"}, "kilowatts": 2.7}`,
		`{"_id": 3, "powerMeterID": "1", "timeStamp": {"$date": "2020-05-18T14:11:30Z"}, "kilowatts": 2.6}`,
		`{"_id": 4, "powerMeterID": "1", "timeStamp": {"$date": "2020-05-18T14:12:00Z"}, "kilowatts": 2.98}`,
		`{"_id": 5, "powerMeterID": "2", "timeStamp": {"$date": "2020-05-18T14:10:30Z"}, "kilowatts": 2.5}`,
		`{"_id": 6, "powerMeterID": "2", "timeStamp": {"$date": "2020-05-18T14:11:00Z"}, "kilowatts": 2.25}`,
		`{"_id": 7, "powerMeterID": "2", "timeStamp": {"$date": "2020-05-18T14:11:30Z"}, "kilowatts": 2.75}`,
		`{"_id": 8, "powerMeterID": "2", "timeStamp": {"$date": "2020-05-18T14:12:00Z"}, "kilowatts": 2.82}`,
	}
	winCase{meters, "powerMeterID", `{"timeStamp": 1}`, `{"$integral": {"input": "$kilowatts", "unit": "hour"}}`, `{"range": ["unbounded", "current"], "unit": "hour"}`}.
		check(t, map[int32]any{
			1: 0.0, 2: 0.023541666666666666, 3: 0.045625, 4: 0.068875,
			5: 0.0, 6: 0.019791666666666666, 7: 0.040625, 8: 0.040625 + 2.785/120,
		})
}

// $expMovingAvg page: stock prices with N: 2 and with alpha: 0.75.
func TestWindowExpMovingAvg(t *testing.T) {
	prices := []string{
		`{"_id": 1, "stock": "ABC", "date": {"$date": "2020-05-18T20:00:00Z"}, "price": 13}`,
		`{"_id": 2, "stock": "ABC", "date": {"$date": "2020-05-19T20:00:00Z"}, "price": 15.4}`,
		`{"_id": 3, "stock": "ABC", "date": {"$date": "2020-05-20T20:00:00Z"}, "price": 12}`,
		`{"_id": 4, "stock": "ABC", "date": {"$date": "2020-05-21T20:00:00Z"}, "price": 11.7}`,
		`{"_id": 5, "stock": "DEF", "date": {"$date": "2020-05-18T20:00:00Z"}, "price": 82}`,
		`{"_id": 6, "stock": "DEF", "date": {"$date": "2020-05-19T20:00:00Z"}, "price": 94}`,
		`{"_id": 7, "stock": "DEF", "date": {"$date": "2020-05-20T20:00:00Z"}, "price": 112}`,
		`{"_id": 8, "stock": "DEF", "date": {"$date": "2020-05-21T20:00:00Z"}, "price": 97.3}`,
	}
	c := winCase{prices, "stock", `{"date": 1}`, `{"$expMovingAvg": {"input": "$price", "N": 2}}`, ``}
	c.check(t, map[int32]any{1: 13.0, 2: 14.6, 3: 12.866666666666667, 4: 12.088888888888889,
		5: 82.0, 6: 90.0, 7: 104.66666666666667, 8: 99.75555555555556})
	c.fn = `{"$expMovingAvg": {"input": "$price", "alpha": 0.75}}`
	c.check(t, map[int32]any{1: 13.0, 2: 14.8, 3: 12.7, 4: 11.95, 5: 82.0, 6: 91.0, 7: 106.75, 8: 99.6625})
}

// $covariancePop and $covarianceSamp pages: covariance of the order year
// and quantity, cumulative by order date per state.
func TestWindowCovariance(t *testing.T) {
	c := winCase{cakeSales, "state", `{"orderDate": 1}`, `{"$covariancePop": [{"$year": "$orderDate"}, "$quantity"]}`, `{"documents": ["unbounded", "current"]}`}
	c.check(t, map[int32]any{4: 0.0, 0: -10.5, 2: -5.666666666666671, 5: 0.0, 3: -7.5, 1: 2.0})
	c.fn = `{"$covarianceSamp": [{"$year": "$orderDate"}, "$quantity"]}`
	c.check(t, map[int32]any{4: nil, 0: -21.0, 2: -8.5, 5: nil, 3: -15.0, 1: 3.0})
}

// $locf and $linearFill pages: hourly prices with gaps.
func TestWindowFill(t *testing.T) {
	stock := []string{
		`{"_id": 1, "time": {"$date": "2021-03-08T09:00:00Z"}, "price": 500}`,
		`{"_id": 2, "time": {"$date": "2021-03-08T10:00:00Z"}}`,
		`{"_id": 3, "time": {"$date": "2021-03-08T11:00:00Z"}, "price": 515}`,
		`{"_id": 4, "time": {"$date": "2021-03-08T12:00:00Z"}}`,
		`{"_id": 5, "time": {"$date": "2021-03-08T13:00:00Z"}}`,
		`{"_id": 6, "time": {"$date": "2021-03-08T14:00:00Z"}, "price": 485}`,
	}
	c := winCase{stock, "", `{"time": 1}`, `{"$locf": "$price"}`, ``}
	c.check(t, map[int32]any{1: int32(500), 2: int32(500), 3: int32(515), 4: int32(515), 5: int32(515), 6: int32(485)})
	c.fn = `{"$linearFill": "$price"}`
	c.check(t, map[int32]any{1: int32(500), 2: 507.5, 3: int32(515), 4: 505.0, 5: 495.0, 6: int32(485)})
	// Nothing before the first value: both leave null.
	lead := winCase{[]string{`{"_id": 1, "t": 1}`, `{"_id": 2, "t": 2, "v": 4}`, `{"_id": 3, "t": 4}`}, "", `{"t": 1}`, `{"$linearFill": "$v"}`, ``}
	lead.check(t, map[int32]any{1: nil, 2: int32(4), 3: nil})
	lead.fn = `{"$locf": "$v"}`
	lead.check(t, map[int32]any{1: nil, 2: int32(4), 3: int32(4)})
}

// Range "current" is the current document's position: a later document
// with the same sortBy value is outside ["unbounded", "current"], while
// the numeric bound 0 takes every document with the same value.
func TestWindowRangeCurrentIsPosition(t *testing.T) {
	docs := []string{`{"_id": 1, "t": 1, "v": 1}`, `{"_id": 2, "t": 1, "v": 10}`, `{"_id": 3, "t": 2, "v": 100}`}
	winCase{docs, "", `{"t": 1}`, `{"$sum": "$v"}`, `{"range": ["unbounded", "current"]}`}.
		check(t, map[int32]any{1: int32(1), 2: int32(11), 3: int32(111)})
	winCase{docs, "", `{"t": 1}`, `{"$sum": "$v"}`, `{"range": ["unbounded", 0]}`}.
		check(t, map[int32]any{1: int32(11), 2: int32(11), 3: int32(111)})
}

// The sliding path ($sum, $avg, $count over ints, values taken back out)
// agrees with summing every window afresh.
func TestWindowSlidingMatchesRecompute(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var docs []string
	for i := range 200 {
		docs = append(docs, fmt.Sprintf(`{"_id": %d, "t": %d, "v": %d}`, i, i/3*2+r.IntN(2), r.IntN(1000)-500))
	}
	for _, w := range []string{`{"documents": [-3, 2]}`, `{"documents": [1, 5]}`, `{"range": [-7, 3]}`, `{"range": [-4, "current"]}`} {
		for op, fn := range map[string]string{"$sum": `{"$sum": "$v"}`, "$avg": `{"$avg": "$v"}`, "$count": `{"$count": {}}`} {
			c := winCase{docs, "", `{"t": 1}`, fn, w}
			got, err := c.run(t)
			if err != nil {
				t.Fatal(err)
			}
			// Recompute with $push and sum the window by hand.
			c.fn = `{"$push": "$v"}`
			frames, err := c.run(t)
			if err != nil {
				t.Fatal(err)
			}
			for id, f := range frames {
				vals := f.(bson.A)
				acc, _ := NewAccumulator(op)
				for _, v := range vals {
					_ = acc.Add(v)
				}
				if !winSame(got[id], acc.Result()) {
					t.Errorf("%s %s: _id %d got %v (%T), recomputed %v (%T)", fn, w, id, got[id], got[id], acc.Result(), acc.Result())
				}
			}
		}
	}
}

func TestWindowFuncErrors(t *testing.T) {
	docs := []string{`{"_id": 1, "t": 1, "d": {"$date": "2024-01-01T00:00:00Z"}, "s": "x"}`, `{"_id": 2, "t": 1, "d": {"$date": "2024-01-01T00:00:00Z"}, "s": "y"}`}
	cases := []struct {
		c    winCase
		want string
	}{
		{winCase{docs, "", `{"t": 1}`, `{"$derivative": {"input": "$t"}}`, ``}, "$derivative needs a window"},
		{winCase{docs, "", `{"t": 1}`, `{"$rank": {}}`, `{"documents": [-1, 0]}`}, "$rank does not take a window"},
		{winCase{docs, "", `{"t": 1, "d": 1}`, `{"$rank": {}}`, ``}, "exactly one field, found 2"},
		{winCase{docs, "", `{"t": -1}`, `{"$sum": "$t"}`, `{"range": [-1, 0]}`}, "needs an ascending sortBy"},
		{winCase{docs, "", `{"t": 1}`, `{"$sum": "$t"}`, `{"range": [-1, 0], "unit": "day"}`}, "to be a date, found int"},
		{winCase{docs, "", `{"d": 1}`, `{"$sum": "$t"}`, `{"range": [-1, 0]}`}, "needs a unit"},
		{winCase{docs, "", `{"s": 1}`, `{"$sum": "$t"}`, `{"range": [-1, 0]}`}, "sortBy s to be a number, found string"},
		{winCase{docs, "", `{"t": 1}`, `{"$linearFill": "$t"}`, ``}, "distinct sortBy values"},
		{winCase{docs, "", `{"t": 1}`, `{"$expMovingAvg": {"input": "$t", "alpha": 1}}`, ``}, "between 0 and 1"},
		{winCase{docs, "", `{"t": 1}`, `{"$shift": {"output": "$t", "by": 1.5}}`, ``}, "'by' must be a whole number"},
		{winCase{docs, "", `{"d": 1}`, `{"$integral": {"input": "$t", "unit": "month"}}`, ``}, "unit must be week"},
		{winCase{docs, "", `{"d": 1}`, `{"$integral": {"input": "$s", "unit": "day"}}`, ``}, "input must be a number, found string"},
		{winCase{docs, "", `{"t": 1}`, `{"$sum": "$t"}`, `{"documents": [-1.5, 0]}`}, "whole number"},
	}
	for _, c := range cases {
		_, err := c.c.run(t)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s %s: got %v, want an error with %q", c.c.fn, c.c.window, err, c.want)
		}
	}
}

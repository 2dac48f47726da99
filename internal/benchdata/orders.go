// Package benchdata generates the order events the benchmarks share: the
// go test benchmarks in exec and the whole-process weirbench read the same
// corpus, so their numbers compare.
package benchdata

import (
	"fmt"
	"math/rand/v2"
)

// Orders returns n orders as Extended JSON lines, shaped like
// examples/data/orders.jsonl plus the fields real order events carry, so
// skipping matters: the fields a filter reads are ~10% of each line. The
// generator is seeded, so the corpus is the same on every run. With
// mixedAmounts, a quarter of the amounts are whole numbers written without
// a fraction, which Extended JSON reads as ints: the mixed-type column of
// real data. total is the bytes of the lines with their newlines.
func Orders(n int, mixedAmounts bool) (lines [][]byte, total int) {
	r := rand.New(rand.NewPCG(1, 2))
	products := []string{"keyboard", "dock", "mouse", "monitor", "cable", "headset", "webcam"}
	cities := []string{"Paris", "Lyon", "Berlin", "München", "New York", "São Paulo"}
	lines = make([][]byte, n)
	for i := range lines {
		var amount string
		if mixedAmounts && i%4 == 0 {
			amount = fmt.Sprintf("%d", r.IntN(3000))
		} else {
			amount = fmt.Sprintf("%.2f", r.Float64()*2000)
		}
		items := ""
		for j := 0; j < 1+r.IntN(3); j++ {
			if j > 0 {
				items += ", "
			}
			items += fmt.Sprintf(`{"sku": "%s", "qty": %d, "price": %.2f}`, products[r.IntN(len(products))], 1+r.IntN(4), r.Float64()*500)
		}
		line := fmt.Sprintf(`{"orderId": %d, "customerId": "c%d", "amount": %s, "orderTime": {"$date": "2026-11-23T%02d:%02d:%02dZ"}, `+
			`"items": [%s], "status": "%s", "channel": "web", "currency": "EUR", "discount": %.2f, "tax": %.2f, `+
			`"coupon": null, "giftWrap": %v, "tags": ["priority", "new-customer"], "notes": "leave at the \"back\" door\n", `+
			`"shipping": {"method": "express", "address": {"street": "%d rue de la Paix", "city": "%s", "zip": "750%02d", "country": "FR"}}, `+
			`"createdBy": {"app": "shop-ios", "version": "4.12.1"}}`,
			1000+i, r.IntN(500), amount, r.IntN(24), r.IntN(60), r.IntN(60),
			items, []string{"paid", "shipped", "delivered"}[r.IntN(3)], r.Float64()*20, r.Float64()*100,
			r.IntN(2) == 0, 1+r.IntN(200), cities[r.IntN(len(cities))], r.IntN(20))
		lines[i] = []byte(line)
		total += len(line) + 1
	}
	return lines, total
}

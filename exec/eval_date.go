package exec

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	// Time zones must resolve the same on every machine, including
	// containers without /usr/share/zoneinfo.
	_ "time/tzdata"

	"go.mongodb.org/mongo-driver/v2/bson"
)

func dateUnary(op string) bool {
	switch op {
	case "$year", "$month", "$dayOfMonth", "$hour", "$minute", "$second", "$millisecond",
		"$dayOfYear", "$dayOfWeek", "$week", "$isoWeek", "$isoWeekYear", "$isoDayOfWeek":
		return true
	}
	return false
}

// asTime reads a date operand: a date, a Timestamp or an ObjectId.
func asTime(op string, v any) (time.Time, error) {
	switch x := v.(type) {
	case bson.DateTime:
		return time.UnixMilli(int64(x)).UTC(), nil
	case bson.Timestamp:
		return time.Unix(int64(x.T), 0).UTC(), nil
	case bson.ObjectID:
		return x.Timestamp().UTC(), nil
	}
	return time.Time{}, fmt.Errorf("%s: can't convert from BSON type %s to Date", op, TypeName(v))
}

// datePart is $year, $month, … of a date in loc; null for null or missing.
func datePart(op string, v any, loc *time.Location, _ bool) (any, error) {
	if IsNullish(v) || loc == nil {
		return nil, nil
	}
	t, err := asTime(op, v)
	if err != nil {
		return nil, err
	}
	t = t.In(loc)
	switch op {
	case "$year":
		return int32(t.Year()), nil
	case "$month":
		return int32(t.Month()), nil
	case "$dayOfMonth":
		return int32(t.Day()), nil
	case "$hour":
		return int32(t.Hour()), nil
	case "$minute":
		return int32(t.Minute()), nil
	case "$second":
		return int32(t.Second()), nil
	case "$millisecond":
		return int32(t.Nanosecond() / 1e6), nil
	case "$dayOfYear":
		return int32(t.YearDay()), nil
	case "$dayOfWeek":
		return int32(t.Weekday()) + 1, nil
	case "$week":
		return int32(sundayWeek(t)), nil
	case "$isoWeek":
		_, w := t.ISOWeek()
		return int32(w), nil
	case "$isoWeekYear":
		y, _ := t.ISOWeek()
		return int64(y), nil
	case "$isoDayOfWeek":
		return int32(isoWeekday(t)), nil
	}
	return nil, fmt.Errorf("operator %s is not implemented yet", op)
}

// sundayWeek is the week of the year, 0-53, weeks starting on Sunday and
// days before the first Sunday in week 0 (strftime's %U).
func sundayWeek(t time.Time) int { return (t.YearDay() - 1 + 7 - int(t.Weekday())) / 7 }

func isoWeekday(t time.Time) int {
	if t.Weekday() == time.Sunday {
		return 7
	}
	return int(t.Weekday())
}

// timezone evaluates a "timezone" argument; a nil location (and no error)
// means it evaluated to null, which makes the operator return null.
func (ev *evaluator) timezone(n namedArgs) (*time.Location, error) {
	if _, ok := n.get("timezone"); !ok {
		return time.UTC, nil
	}
	v, err := ev.evalNamed(n, "timezone")
	if err != nil {
		return nil, err
	}
	if IsNullish(v) {
		return nil, nil
	}
	s, ok := v.(string)
	if !ok {
		return nil, fmt.Errorf("timezone must be a string, not %s", TypeName(v))
	}
	return parseTimezone(s)
}

var tzCache sync.Map

// parseTimezone reads an Olson name ("Europe/London"), "UTC"/"GMT", or an
// offset "+hh", "+hhmm" or "+hh:mm".
func parseTimezone(s string) (*time.Location, error) {
	if l, ok := tzCache.Load(s); ok {
		return l.(*time.Location), nil
	}
	loc, err := loadTimezone(s)
	if err != nil {
		return nil, err
	}
	tzCache.Store(s, loc)
	return loc, nil
}

func loadTimezone(s string) (*time.Location, error) {
	if s == "UTC" || s == "GMT" || s == "Z" {
		return time.UTC, nil
	}
	if s != "" && (s[0] == '+' || s[0] == '-') {
		secs, ok := parseOffset(s)
		if !ok {
			return nil, fmt.Errorf("unrecognized time zone identifier: %q", s)
		}
		return time.FixedZone(s, secs), nil
	}
	loc, err := time.LoadLocation(s)
	if err != nil || s == "" || s == "Local" {
		return nil, fmt.Errorf("unrecognized time zone identifier: %q", s)
	}
	return loc, nil
}

// parseOffset reads ±hh, ±hhmm or ±hh:mm into seconds east of UTC.
func parseOffset(s string) (int, bool) {
	if len(s) < 3 {
		return 0, false
	}
	sign := 1
	if s[0] == '-' {
		sign = -1
	} else if s[0] != '+' {
		return 0, false
	}
	body := strings.ReplaceAll(s[1:], ":", "")
	if len(body) != 2 && len(body) != 4 {
		return 0, false
	}
	for _, c := range body {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	h, _ := strconv.Atoi(body[:2])
	m := 0
	if len(body) == 4 {
		m, _ = strconv.Atoi(body[2:])
	}
	return sign * (h*3600 + m*60), true
}

func (ev *evaluator) dateNamed(op string, n namedArgs) (any, error) {
	switch op {
	case "$dateToString":
		return ev.dateToString(n)
	case "$dateFromString":
		return ev.dateFromString(n)
	case "$dateTrunc":
		return ev.dateTrunc(n)
	case "$dateAdd", "$dateSubtract":
		return ev.dateAdd(op, n)
	case "$dateDiff":
		return ev.dateDiff(n)
	case "$dateFromParts":
		return ev.dateFromParts(n)
	case "$dateToParts":
		return ev.dateToParts(n)
	}
	return nil, fmt.Errorf("operator %s is not implemented yet", op)
}

func (ev *evaluator) dateToString(n namedArgs) (any, error) {
	if err := n.check("$dateToString", []string{"date"}, "format", "timezone", "onNull"); err != nil {
		return nil, err
	}
	d, err := ev.evalNamed(n, "date")
	if err != nil {
		return nil, err
	}
	if IsNullish(d) {
		return ev.onNull(n)
	}
	loc, err := ev.timezone(n)
	if err != nil || loc == nil {
		return nil, err
	}
	format := "%Y-%m-%dT%H:%M:%S.%LZ"
	if loc != time.UTC {
		// MongoDB drops the Z when the date is shown in another zone.
		format = "%Y-%m-%dT%H:%M:%S.%L"
	}
	if _, ok := n.get("format"); ok {
		fv, err := ev.evalNamed(n, "format")
		if err != nil {
			return nil, err
		}
		if IsNullish(fv) {
			return nil, nil
		}
		f, ok := fv.(string)
		if !ok {
			return nil, fmt.Errorf("$dateToString requires that 'format' be a string, found: %s", TypeName(fv))
		}
		format = f
	}
	t, err := asTime("$dateToString", d)
	if err != nil {
		return nil, err
	}
	return formatDate(t.In(loc), format)
}

var monthAbbr = []string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}

// formatDate applies MongoDB's $dateToString format specifiers.
func formatDate(t time.Time, format string) (string, error) {
	var b strings.Builder
	pad := func(v, width int) {
		s := strconv.Itoa(v)
		if v < 0 {
			s = strconv.Itoa(-v)
			b.WriteByte('-')
		}
		for i := len(s); i < width; i++ {
			b.WriteByte('0')
		}
		b.WriteString(s)
	}
	for i := 0; i < len(format); i++ {
		c := format[i]
		if c != '%' {
			b.WriteByte(c)
			continue
		}
		if i+1 >= len(format) {
			return "", fmt.Errorf("$dateToString: unmatched '%%' at end of format string")
		}
		i++
		switch format[i] {
		case 'd':
			pad(t.Day(), 2)
		case 'G':
			y, _ := t.ISOWeek()
			pad(y, 4)
		case 'H':
			pad(t.Hour(), 2)
		case 'j':
			pad(t.YearDay(), 3)
		case 'L':
			pad(t.Nanosecond()/1e6, 3)
		case 'm':
			pad(int(t.Month()), 2)
		case 'M':
			pad(t.Minute(), 2)
		case 'S':
			pad(t.Second(), 2)
		case 'w':
			pad(int(t.Weekday())+1, 1)
		case 'u':
			pad(isoWeekday(t), 1)
		case 'U':
			pad(sundayWeek(t), 2)
		case 'V':
			_, w := t.ISOWeek()
			pad(w, 2)
		case 'Y':
			pad(t.Year(), 4)
		case 'z':
			_, off := t.Zone()
			sign := byte('+')
			if off < 0 {
				sign, off = '-', -off
			}
			b.WriteByte(sign)
			pad(off/3600, 2)
			pad(off%3600/60, 2)
		case 'Z':
			_, off := t.Zone()
			if off >= 0 {
				b.WriteByte('+')
			}
			b.WriteString(strconv.Itoa(off / 60))
		case 'b':
			b.WriteString(monthAbbr[t.Month()-1])
		case 'B':
			b.WriteString(t.Month().String())
		case '%':
			b.WriteByte('%')
		default:
			return "", fmt.Errorf("$dateToString: invalid format character '%%%c' in format string", format[i])
		}
	}
	return b.String(), nil
}

func (ev *evaluator) dateFromString(n namedArgs) (any, error) {
	if err := n.check("$dateFromString", []string{"dateString"}, "format", "timezone", "onError", "onNull"); err != nil {
		return nil, err
	}
	sv, err := ev.evalNamed(n, "dateString")
	if err != nil {
		return nil, err
	}
	if IsNullish(sv) {
		return ev.onNull(n)
	}
	loc, err := ev.timezone(n)
	if err != nil || loc == nil {
		return nil, err
	}
	format := ""
	if _, ok := n.get("format"); ok {
		fv, err := ev.evalNamed(n, "format")
		if err != nil {
			return nil, err
		}
		if IsNullish(fv) {
			return nil, nil
		}
		f, ok := fv.(string)
		if !ok {
			return nil, fmt.Errorf("$dateFromString requires that 'format' be a string, found: %s", TypeName(fv))
		}
		format = f
	}
	var t time.Time
	s, ok := sv.(string)
	if !ok {
		err = fmt.Errorf("$dateFromString requires that 'dateString' be a string, found: %s with value %v", TypeName(sv), sv)
	} else {
		_, explicitTZ := n.get("timezone")
		var tzLoc *time.Location
		if explicitTZ {
			tzLoc = loc
		}
		t, err = parseDateString(s, format, tzLoc)
	}
	if err != nil {
		if _, ok := n.get("onError"); ok {
			return ev.evalNamed(n, "onError")
		}
		return nil, fmt.Errorf("$dateFromString: %w", err)
	}
	return bson.NewDateTimeFromTime(t), nil
}

// parseDateString parses s with a $dateFromString format, or without one
// as ISO 8601 ("2017-02-08", "2017-02-08T12:10:40.787Z",
// "2017-02-08 12:10:40+02:00"). loc, when not nil, is the zone of a string
// without an offset; giving both is an error, as in MongoDB.
func parseDateString(s, format string, loc *time.Location) (time.Time, error) {
	if format == "" {
		format = isoFormatFor(s)
	}
	p := dateParser{s: s}
	year, month, day := 1970, 1, 1
	hour, minute, sec, ms := 0, 0, 0, 0
	isoYear, isoWeek, isoDay := -1, -1, -1
	yday := -1
	offset, hasOffset := 0, false
	for i := 0; i < len(format); i++ {
		c := format[i]
		if c != '%' {
			if !p.literal(c) {
				return time.Time{}, fmt.Errorf("error parsing date string '%s'; expected '%c' at position %d", s, c, p.i)
			}
			continue
		}
		i++
		if i >= len(format) {
			return time.Time{}, fmt.Errorf("unmatched '%%' at end of format string")
		}
		var ok bool
		switch format[i] {
		case 'Y':
			year, ok = p.digits(4, 4)
		case 'm':
			month, ok = p.digits(1, 2)
		case 'd':
			day, ok = p.digits(1, 2)
		case 'H':
			hour, ok = p.digits(1, 2)
		case 'M':
			minute, ok = p.digits(1, 2)
		case 'S':
			sec, ok = p.digits(1, 2)
		case 'L':
			ms, ok = p.fraction()
		case 'j':
			yday, ok = p.digits(1, 3)
		case 'G':
			isoYear, ok = p.digits(4, 4)
		case 'V':
			isoWeek, ok = p.digits(1, 2)
		case 'u':
			isoDay, ok = p.digits(1, 1)
		case 'z':
			offset, ok = p.offset()
			hasOffset = true
		case 'Z':
			var mins int
			mins, ok = p.signedInt()
			offset, hasOffset = mins*60, true
		case 'b', 'B':
			month, ok = p.monthName()
		case '%':
			ok = p.literal('%')
		default:
			return time.Time{}, fmt.Errorf("invalid format character '%%%c' in format string", format[i])
		}
		if !ok {
			return time.Time{}, fmt.Errorf("error parsing date string '%s'; %%%c did not match at position %d", s, format[i], p.i)
		}
	}
	if p.i != len(s) {
		return time.Time{}, fmt.Errorf("error parsing date string '%s'; trailing data '%s'", s, s[p.i:])
	}
	if month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || sec > 60 {
		return time.Time{}, fmt.Errorf("error parsing date string '%s'; a field is out of range", s)
	}
	if hasOffset && loc != nil {
		return time.Time{}, fmt.Errorf("you cannot pass in a date/time string with GMT offset together with a timezone argument")
	}
	zone := time.UTC
	switch {
	case hasOffset:
		zone = time.FixedZone("", offset)
	case loc != nil:
		zone = loc
	}
	var t time.Time
	switch {
	case isoYear >= 0:
		if isoWeek < 0 {
			isoWeek = 1
		}
		if isoDay < 0 {
			isoDay = 1
		}
		t = isoDate(isoYear, isoWeek, isoDay, zone).Add(time.Duration(hour)*time.Hour + time.Duration(minute)*time.Minute + time.Duration(sec)*time.Second + time.Duration(ms)*time.Millisecond)
	case yday >= 0:
		t = time.Date(year, 1, yday, hour, minute, sec, ms*1e6, zone)
	default:
		t = time.Date(year, time.Month(month), day, hour, minute, sec, ms*1e6, zone)
		if t.Day() != day {
			return time.Time{}, fmt.Errorf("error parsing date string '%s'; the day is out of range for the month", s)
		}
	}
	return t, nil
}

// isoFormatFor picks the ISO 8601 layout that s is written in.
func isoFormatFor(s string) string {
	f := "%Y-%m-%d"
	if len(s) <= 10 {
		return f
	}
	sep := s[10]
	if sep != 'T' && sep != ' ' {
		return f
	}
	f += string(sep) + "%H:%M"
	rest := s[11:]
	colons := 0
	i := 0
	for ; i < len(rest) && (rest[i] == ':' || rest[i] == '.' || (rest[i] >= '0' && rest[i] <= '9')); i++ {
		if rest[i] == ':' {
			colons++
		}
	}
	if colons >= 2 {
		f += ":%S"
	}
	if strings.Contains(rest[:i], ".") {
		f += ".%L"
	}
	switch tail := rest[i:]; {
	case tail == "Z":
		f += "Z"
	case tail != "":
		f += "%z"
	}
	return f
}

// isoDate is the Monday-based ISO week date in zone.
func isoDate(year, week, day int, zone *time.Location) time.Time {
	jan4 := time.Date(year, 1, 4, 0, 0, 0, 0, zone)
	monday := jan4.AddDate(0, 0, -(isoWeekday(jan4) - 1))
	return monday.AddDate(0, 0, (week-1)*7+day-1)
}

type dateParser struct {
	s string
	i int
}

func (p *dateParser) literal(c byte) bool {
	if p.i < len(p.s) && p.s[p.i] == c {
		p.i++
		return true
	}
	return false
}

func (p *dateParser) digits(minN, maxN int) (int, bool) {
	start := p.i
	for p.i < len(p.s) && p.i-start < maxN && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
		p.i++
	}
	if p.i-start < minN {
		return 0, false
	}
	v, _ := strconv.Atoi(p.s[start:p.i])
	return v, true
}

// fraction reads fractional-second digits as milliseconds.
func (p *dateParser) fraction() (int, bool) {
	start := p.i
	for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
		p.i++
	}
	d := p.s[start:p.i]
	if d == "" {
		return 0, false
	}
	for len(d) < 3 {
		d += "0"
	}
	v, _ := strconv.Atoi(d[:3])
	return v, true
}

func (p *dateParser) offset() (int, bool) {
	if p.i < len(p.s) && p.s[p.i] == 'Z' {
		p.i++
		return 0, true
	}
	start := p.i
	if p.i >= len(p.s) || (p.s[p.i] != '+' && p.s[p.i] != '-') {
		return 0, false
	}
	p.i++
	for p.i < len(p.s) && (p.s[p.i] == ':' || (p.s[p.i] >= '0' && p.s[p.i] <= '9')) {
		p.i++
	}
	return parseOffset(p.s[start:p.i])
}

func (p *dateParser) signedInt() (int, bool) {
	sign := 1
	if p.i < len(p.s) && (p.s[p.i] == '+' || p.s[p.i] == '-') {
		if p.s[p.i] == '-' {
			sign = -1
		}
		p.i++
	}
	v, ok := p.digits(1, 6)
	return sign * v, ok
}

func (p *dateParser) monthName() (int, bool) {
	rest := strings.ToLower(p.s[p.i:])
	for m := 12; m >= 1; m-- {
		full := strings.ToLower(time.Month(m).String())
		if strings.HasPrefix(rest, full) {
			p.i += len(full)
			return m, true
		}
		if strings.HasPrefix(rest, full[:3]) {
			p.i += 3
			return m, true
		}
	}
	return 0, false
}

// Calendar units, for $dateTrunc, $dateAdd and $dateDiff.

var unitMillis = map[string]int64{
	"millisecond": 1, "second": 1000, "minute": 60_000, "hour": 3_600_000,
	"day": 86_400_000, "week": 7 * 86_400_000,
}

func (ev *evaluator) unitArg(op string, n namedArgs, name string) (string, bool, error) {
	v, err := ev.evalNamed(n, name)
	if err != nil {
		return "", false, err
	}
	if IsNullish(v) {
		return "", false, nil
	}
	s, ok := v.(string)
	if !ok {
		return "", false, fmt.Errorf("%s requires '%s' to be a string, but got %s", op, name, TypeName(v))
	}
	switch s {
	case "year", "quarter", "month", "week", "day", "hour", "minute", "second", "millisecond":
		return s, true, nil
	}
	return "", false, fmt.Errorf("%s parameter '%s' value cannot be recognized as a time unit: %s", op, name, s)
}

func (ev *evaluator) startOfWeek(op string, n namedArgs) (time.Weekday, bool, error) {
	if _, ok := n.get("startOfWeek"); !ok {
		return time.Sunday, true, nil
	}
	v, err := ev.evalNamed(n, "startOfWeek")
	if err != nil {
		return 0, false, err
	}
	if IsNullish(v) {
		return 0, false, nil
	}
	s, ok := v.(string)
	if ok {
		ls := strings.ToLower(s)
		for d := time.Sunday; d <= time.Saturday; d++ {
			name := strings.ToLower(d.String())
			if ls == name || ls == name[:3] {
				return d, true, nil
			}
		}
	}
	return 0, false, fmt.Errorf("%s parameter 'startOfWeek' must be a day of the week, not %v", op, v)
}

// wallMillis is t's local wall-clock time as milliseconds since the epoch.
func wallMillis(t time.Time) int64 {
	_, off := t.Zone()
	return t.UnixMilli() + int64(off)*1000
}

// fromWall turns local wall-clock milliseconds back into an instant in loc.
func fromWall(ms int64, loc *time.Location) time.Time {
	w := time.UnixMilli(ms).UTC()
	return time.Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), w.Second(), w.Nanosecond(), loc)
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// reference is 2000-01-01T00:00 wall time, which $dateTrunc aligns bins to.
var reference = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli()

func (ev *evaluator) dateTrunc(n namedArgs) (any, error) {
	const op = "$dateTrunc"
	if err := n.check(op, []string{"date", "unit"}, "binSize", "timezone", "startOfWeek"); err != nil {
		return nil, err
	}
	d, err := ev.evalNamed(n, "date")
	if err != nil {
		return nil, err
	}
	unit, ok, err := ev.unitArg(op, n, "unit")
	if err != nil || !ok || IsNullish(d) {
		return nil, err
	}
	loc, err := ev.timezone(n)
	if err != nil || loc == nil {
		return nil, err
	}
	bin := int64(1)
	if _, ok := n.get("binSize"); ok {
		bv, err := ev.evalNamed(n, "binSize")
		if err != nil {
			return nil, err
		}
		if IsNullish(bv) {
			return nil, nil
		}
		b, ok := exactInt(bv)
		if !IsNumber(bv) || !ok || b < 1 {
			return nil, fmt.Errorf("$dateTrunc requires 'binSize' to be a positive 64-bit integer, but got %v", bv)
		}
		bin = b
	}
	sow, ok, err := ev.startOfWeek(op, n)
	if err != nil || !ok {
		return nil, err
	}
	t, err := asTime(op, d)
	if err != nil {
		return nil, err
	}
	t = t.In(loc)
	switch unit {
	case "year", "quarter", "month":
		per := map[string]int64{"year": 12, "quarter": 3, "month": 1}[unit] * bin
		months := int64(t.Year()-2000)*12 + int64(t.Month()-1)
		m := floorDiv(months, per) * per
		y := 2000 + floorDiv(m, 12)
		mon := m - floorDiv(m, 12)*12
		return bson.NewDateTimeFromTime(time.Date(int(y), time.Month(mon+1), 1, 0, 0, 0, 0, loc)), nil
	case "week":
		// Weeks are aligned to the first startOfWeek on or after
		// 2000-01-01, a Saturday.
		ref := reference + int64((int(sow)-int(time.Saturday)+7)%7)*86_400_000
		step := bin * unitMillis["week"]
		w := ref + floorDiv(wallMillis(t)-ref, step)*step
		return bson.NewDateTimeFromTime(fromWall(w, loc)), nil
	}
	step := bin * unitMillis[unit]
	w := reference + floorDiv(wallMillis(t)-reference, step)*step
	if unit == "millisecond" || unit == "second" || unit == "minute" || (unit == "hour" && !hasFractionalOffset(t)) {
		// Below a day, bins are absolute durations; truncate the
		// instant so a DST fold keeps both of its hours.
		off := wallMillis(t) - t.UnixMilli()
		return bson.DateTime(w - off), nil
	}
	return bson.NewDateTimeFromTime(fromWall(w, loc)), nil
}

func hasFractionalOffset(t time.Time) bool {
	_, off := t.Zone()
	return off%3600 != 0
}

func (ev *evaluator) dateAdd(op string, n namedArgs) (any, error) {
	if err := n.check(op, []string{"startDate", "unit", "amount"}, "timezone"); err != nil {
		return nil, err
	}
	d, err := ev.evalNamed(n, "startDate")
	if err != nil {
		return nil, err
	}
	unit, ok, err := ev.unitArg(op, n, "unit")
	if err != nil || !ok {
		return nil, err
	}
	av, err := ev.evalNamed(n, "amount")
	if err != nil {
		return nil, err
	}
	loc, err := ev.timezone(n)
	if err != nil || loc == nil || IsNullish(d) || IsNullish(av) {
		return nil, err
	}
	amount, ok := exactInt(av)
	if !IsNumber(av) || !ok {
		return nil, fmt.Errorf("%s expects integer amount of time units, not %v", op, av)
	}
	if op == "$dateSubtract" {
		amount = -amount
	}
	t, err := asTime(op, d)
	if err != nil {
		return nil, err
	}
	return bson.NewDateTimeFromTime(addUnits(t.In(loc), unit, amount)), nil
}

// addUnits adds amount units to t. Days and larger move the local calendar
// (so a day across a DST change is 23 or 25 hours); months and years clamp
// to the last day of a shorter month, as MongoDB does (Jan 31 + 1 month is
// Feb 28 or 29).
func addUnits(t time.Time, unit string, amount int64) time.Time {
	switch unit {
	case "year":
		return addMonths(t, amount*12)
	case "quarter":
		return addMonths(t, amount*3)
	case "month":
		return addMonths(t, amount)
	case "week":
		return t.AddDate(0, 0, int(amount*7))
	case "day":
		return t.AddDate(0, 0, int(amount))
	}
	return t.Add(time.Duration(amount*unitMillis[unit]) * time.Millisecond)
}

func addMonths(t time.Time, months int64) time.Time {
	total := int64(t.Year())*12 + int64(t.Month()-1) + months
	y, m := int(floorDiv(total, 12)), time.Month(total-floorDiv(total, 12)*12+1)
	last := time.Date(y, m+1, 0, 0, 0, 0, 0, t.Location()).Day()
	return time.Date(y, m, min(t.Day(), last), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), t.Location())
}

// dateDiff counts the unit boundaries crossed between startDate and
// endDate in the time zone, as a long: 23:59 to 00:01 is one day.
func (ev *evaluator) dateDiff(n namedArgs) (any, error) {
	const op = "$dateDiff"
	if err := n.check(op, []string{"startDate", "endDate", "unit"}, "timezone", "startOfWeek"); err != nil {
		return nil, err
	}
	sv, err := ev.evalNamed(n, "startDate")
	if err != nil {
		return nil, err
	}
	ev2, err := ev.evalNamed(n, "endDate")
	if err != nil {
		return nil, err
	}
	unit, ok, err := ev.unitArg(op, n, "unit")
	if err != nil || !ok {
		return nil, err
	}
	loc, err := ev.timezone(n)
	if err != nil || loc == nil || IsNullish(sv) || IsNullish(ev2) {
		return nil, err
	}
	sow, ok, err := ev.startOfWeek(op, n)
	if err != nil || !ok {
		return nil, err
	}
	a, err := asTime(op, sv)
	if err != nil {
		return nil, err
	}
	b, err := asTime(op, ev2)
	if err != nil {
		return nil, err
	}
	a, b = a.In(loc), b.In(loc)
	switch unit {
	case "year":
		return int64(b.Year() - a.Year()), nil
	case "quarter":
		q := func(t time.Time) int64 { return int64(t.Year())*4 + int64(t.Month()-1)/3 }
		return q(b) - q(a), nil
	case "month":
		m := func(t time.Time) int64 { return int64(t.Year())*12 + int64(t.Month()-1) }
		return m(b) - m(a), nil
	case "week":
		w := func(t time.Time) int64 {
			days := floorDiv(wallMillis(t), 86_400_000)
			// 1970-01-01 was a Thursday.
			return floorDiv(days-int64((int(sow)-int(time.Thursday)+7)%7), 7)
		}
		return w(b) - w(a), nil
	case "day":
		return floorDiv(wallMillis(b), 86_400_000) - floorDiv(wallMillis(a), 86_400_000), nil
	case "millisecond":
		return b.UnixMilli() - a.UnixMilli(), nil
	}
	step := unitMillis[unit]
	return floorDiv(wallMillis(b), step) - floorDiv(wallMillis(a), step), nil
}

func (ev *evaluator) dateFromParts(n namedArgs) (any, error) {
	const op = "$dateFromParts"
	iso := false
	if _, ok := n.get("isoWeekYear"); ok {
		iso = true
		if err := n.check(op, []string{"isoWeekYear"}, "isoWeek", "isoDayOfWeek", "hour", "minute", "second", "millisecond", "timezone"); err != nil {
			return nil, err
		}
	} else if err := n.check(op, []string{"year"}, "month", "day", "hour", "minute", "second", "millisecond", "timezone"); err != nil {
		return nil, err
	}
	part := func(name string, def int64, lo, hi int64) (int64, bool, error) {
		if _, ok := n.get(name); !ok {
			return def, true, nil
		}
		v, err := ev.evalNamed(n, name)
		if err != nil {
			return 0, false, err
		}
		if IsNullish(v) {
			return 0, false, nil
		}
		i, ok := exactInt(v)
		if !IsNumber(v) || !ok {
			return 0, false, fmt.Errorf("%s: '%s' must evaluate to an integer, found %s with value %v", op, name, TypeName(v), v)
		}
		if i < lo || i > hi {
			return 0, false, fmt.Errorf("%s: '%s' must evaluate to an integer in the range %d to %d, found %d", op, name, lo, hi, i)
		}
		return i, true, nil
	}
	names := []string{"year", "month", "day"}
	if iso {
		names = []string{"isoWeekYear", "isoWeek", "isoDayOfWeek"}
	}
	var vals [7]int64
	all := append(names, "hour", "minute", "second", "millisecond")
	for i, name := range all {
		lo, hi, def := int64(-32768), int64(32767), int64(0)
		if i == 0 {
			lo, hi = 1, 9999
		}
		if i == 1 || i == 2 {
			def = 1
		}
		v, ok, err := part(name, def, lo, hi)
		if err != nil || !ok {
			return nil, err
		}
		vals[i] = v
	}
	loc, err := ev.timezone(n)
	if err != nil || loc == nil {
		return nil, err
	}
	var t time.Time
	if iso {
		t = isoDate(int(vals[0]), int(vals[1]), int(vals[2]), loc)
	} else {
		t = time.Date(int(vals[0]), time.Month(vals[1]), int(vals[2]), 0, 0, 0, 0, loc)
	}
	t = t.Add(time.Duration(vals[3])*time.Hour + time.Duration(vals[4])*time.Minute +
		time.Duration(vals[5])*time.Second + time.Duration(vals[6])*time.Millisecond)
	return bson.NewDateTimeFromTime(t), nil
}

func (ev *evaluator) dateToParts(n namedArgs) (any, error) {
	const op = "$dateToParts"
	if err := n.check(op, []string{"date"}, "timezone", "iso8601"); err != nil {
		return nil, err
	}
	d, err := ev.evalNamed(n, "date")
	if err != nil {
		return nil, err
	}
	loc, err := ev.timezone(n)
	if err != nil || loc == nil || IsNullish(d) {
		return nil, err
	}
	iso := false
	if v, err := ev.evalNamed(n, "iso8601"); err != nil {
		return nil, err
	} else if !IsMissing(v) {
		b, ok := v.(bool)
		if !ok {
			return nil, fmt.Errorf("%s: iso8601 must evaluate to a bool, found %s", op, TypeName(v))
		}
		iso = b
	}
	t, err := asTime(op, d)
	if err != nil {
		return nil, err
	}
	t = t.In(loc)
	clock := bson.D{
		{Key: "hour", Value: int32(t.Hour())},
		{Key: "minute", Value: int32(t.Minute())},
		{Key: "second", Value: int32(t.Second())},
		{Key: "millisecond", Value: int32(t.Nanosecond() / 1e6)},
	}
	if iso {
		y, w := t.ISOWeek()
		return append(bson.D{
			{Key: "isoWeekYear", Value: int32(y)},
			{Key: "isoWeek", Value: int32(w)},
			{Key: "isoDayOfWeek", Value: int32(isoWeekday(t))},
		}, clock...), nil
	}
	return append(bson.D{
		{Key: "year", Value: int32(t.Year())},
		{Key: "month", Value: int32(t.Month())},
		{Key: "day", Value: int32(t.Day())},
	}, clock...), nil
}

package report

import (
	"slices"
	"time"

	"tilltal/internal/calendar"
)

// Stat is the figures of one group of incoming items.
type Stat struct {
	Incoming          int
	Answered          int
	Questions         int
	QuestionsAnswered int
	Positive          int
	PositiveAnswered  int
	// Median and P90 are the waits for a first answer at the 50th and
	// 90th percentile of the answered items, by nearest rank (the wait of
	// the ⌈p·n⌉-th fastest answer), so that each is a wait some citizen
	// really had. They are meaningful when Answered > 0.
	Median time.Duration
	P90    time.Duration
}

// HasWait reports whether there is any answered item to take a median of.
func (s Stat) HasWait() bool { return s.Answered > 0 }

func (s *Stat) add(f Fact) {
	s.Incoming++
	if f.Question {
		s.Questions++
	}
	if f.Positive {
		s.Positive++
	}
	if !f.Answered() {
		return
	}
	s.Answered++
	if f.Question {
		s.QuestionsAnswered++
	}
	if f.Positive {
		s.PositiveAnswered++
	}
}

// Figures are everything the reports show of a period's items.
type Figures struct {
	Total Stat
	// Replies counts the municipality's own items in the period.
	Replies     int
	Channels    map[int64]*Stat
	Departments map[int64]*Stat
	Platforms   map[string]*Stat
	// Periods and Hours group the items by when they arrived: the kind of
	// time (calendar.Period) and the hour of the week.
	Periods [5]Stat
	Hours   [168]Stat
	// Waited is the answered items' waiting time by the kind of time it
	// passed in.
	Waited [5]time.Duration
	// Flags counts incoming items per flag.
	Flags map[string]int
	// Days counts incoming items per day and platform, ChannelDays per
	// channel and day.
	Days        map[calendar.Date]map[string]int
	ChannelDays map[int64]map[calendar.Date]int
	// ChannelPlatform is each channel's platform as its items give it.
	ChannelPlatform map[int64]string
}

// waitFact is an answered item placed in its groups, for the percentiles.
type waitFact struct {
	wait    uint32
	how     uint8
	period  uint8
	channel int32
	dept    int32
	plat    int32
}

// Compute sums rows into figures.
func Compute(rows []Row) Figures {
	g := Figures{Channels: map[int64]*Stat{}, Departments: map[int64]*Stat{}, Platforms: map[string]*Stat{},
		Flags: map[string]int{}, Days: map[calendar.Date]map[string]int{}, ChannelDays: map[int64]map[calendar.Date]int{},
		ChannelPlatform: map[int64]string{}}
	var idx groupIndex
	n := 0
	for _, r := range rows {
		n += len(r.Facts)
	}
	waits := make([]waitFact, 0, n)
	for _, r := range rows {
		g.Replies += r.Replies
		for p, s := range r.Waited {
			g.Waited[p] += time.Duration(s) * time.Second
		}
		for k, n := range r.Flags {
			g.Flags[k] += n
		}
		if g.Days[r.Day] == nil {
			g.Days[r.Day] = map[string]int{}
		}
		g.Days[r.Day][r.Platform] += r.Incoming
		if g.ChannelDays[r.ChannelID] == nil {
			g.ChannelDays[r.ChannelID] = map[calendar.Date]int{}
		}
		g.ChannelDays[r.ChannelID][r.Day] += r.Incoming
		g.ChannelPlatform[r.ChannelID] = r.Platform
		ch, dept, plat := stat(g.Channels, r.ChannelID), stat(g.Departments, r.DepartmentID), stat(g.Platforms, r.Platform)
		ci, di, pi := idx.channel(r.ChannelID), idx.dept(r.DepartmentID), idx.platform(r.Platform)
		for _, f := range r.Facts {
			g.Total.add(f)
			ch.add(f)
			dept.add(f)
			plat.add(f)
			g.Periods[f.Period].add(f)
			g.Hours[f.How].add(f)
			if f.Answered() {
				waits = append(waits, waitFact{f.Wait, f.How, uint8(f.Period), ci, di, pi})
			}
		}
	}
	g.percentiles(waits, &idx)
	return g
}

func stat[K comparable](m map[K]*Stat, k K) *Stat {
	s := m[k]
	if s == nil {
		s = &Stat{}
		m[k] = s
	}
	return s
}

// groupIndex numbers the channels, departments and platforms met, so that
// the percentile walk can count in slices.
type groupIndex struct {
	channels, depts []int64
	platforms       []string
}

func (x *groupIndex) channel(id int64) int32 { return indexOf(&x.channels, id) }
func (x *groupIndex) dept(id int64) int32    { return indexOf(&x.depts, id) }
func (x *groupIndex) platform(p string) int32 {
	return indexOf(&x.platforms, p)
}

func indexOf[T comparable](list *[]T, v T) int32 {
	if i := slices.Index(*list, v); i >= 0 {
		return int32(i)
	}
	*list = append(*list, v)
	return int32(len(*list) - 1)
}

// percentiles fills in Median and P90 of every group in one walk over the
// answered items sorted by wait: a group's median is the wait at which
// its own count reaches its rank.
func (g *Figures) percentiles(waits []waitFact, idx *groupIndex) {
	waits = sortByWait(waits)
	stats := []*Stat{&g.Total}
	for i := range g.Periods {
		stats = append(stats, &g.Periods[i])
	}
	for i := range g.Hours {
		stats = append(stats, &g.Hours[i])
	}
	chBase := len(stats)
	for _, id := range idx.channels {
		stats = append(stats, g.Channels[id])
	}
	deptBase := len(stats)
	for _, id := range idx.depts {
		stats = append(stats, g.Departments[id])
	}
	platBase := len(stats)
	for _, p := range idx.platforms {
		stats = append(stats, g.Platforms[p])
	}
	seen := make([]int, len(stats))
	r50, r90 := make([]int, len(stats)), make([]int, len(stats))
	for i, s := range stats {
		r50[i], r90[i] = rank(s.Answered, 50), rank(s.Answered, 90)
	}
	for _, w := range waits {
		for _, gi := range [...]int{0, 1 + int(w.period), 6 + int(w.how), chBase + int(w.channel), deptBase + int(w.dept), platBase + int(w.plat)} {
			seen[gi]++
			if seen[gi] == r50[gi] {
				stats[gi].Median = time.Duration(w.wait) * time.Second
			}
			if seen[gi] == r90[gi] {
				stats[gi].P90 = time.Duration(w.wait) * time.Second
			}
		}
	}
}

// rank is the nearest rank of the p-th percentile among n values: ⌈p·n/100⌉.
func rank(n, p int) int { return (n*p + 99) / 100 }

// sortByWait sorts by wait with a radix sort on its two 16-bit halves
// (the second only when some wait is over 18 hours): a year holds a
// million answered items, and comparison sorting them took most of a
// report's time.
func sortByWait(a []waitFact) []waitFact {
	var max uint32
	for _, w := range a {
		max = greater(max, w.wait)
	}
	buf := make([]waitFact, len(a))
	for shift := uint(0); shift < 32 && max>>shift > 0; shift += 16 {
		var count [1 << 16]int
		for _, w := range a {
			count[(w.wait>>shift)&0xFFFF]++
		}
		pos := 0
		for i, c := range count {
			count[i] = pos
			pos += c
		}
		for _, w := range a {
			k := (w.wait >> shift) & 0xFFFF
			buf[count[k]] = w
			count[k]++
		}
		a, buf = buf, a
	}
	return a
}

func greater(a, b uint32) uint32 {
	if b > a {
		return b
	}
	return a
}

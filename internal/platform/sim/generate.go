package sim

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"sort"
	"strings"
	"time"

	"tilltal/internal/platform"
)

// Category is what kind of traffic a generated item is; the demo and the
// tests use it, the inbox never sees it.
type Category string

// The categories of simulated traffic.
const (
	CatPost        Category = "post" // the municipality's own post
	CatQuestion    Category = "question"
	CatPraise      Category = "praise"
	CatComplaint   Category = "complaint"
	CatRumour      Category = "rumour"
	CatMessage     Category = "message"
	CatPersonnr    Category = "personnummer"
	CatPhone       Category = "phone"
	CatThreat      Category = "threat"
	CatThreadReply Category = "thread_reply"
)

// postEvery makes every n-th item a new post by the municipality, so that
// comments gather under a few recent posts as they do on a real page.
const postEvery = 12

// weights are the share of each citizen category, in per mille.
var weights = []struct {
	cat Category
	w   int
}{
	{CatQuestion, 340}, {CatPraise, 120}, {CatComplaint, 170}, {CatRumour, 80}, {CatMessage, 100},
	{CatPersonnr, 30}, {CatPhone, 30}, {CatThreat, 40}, {CatThreadReply, 90},
}

// departments in a fixed order, so that a seed picks the same one each time.
var departments = func() []string {
	var d []string
	for k := range departmentQuestions {
		d = append(d, k)
	}
	sort.Strings(d)
	return d
}()

// item is one generated object with what the sim knows about it.
type item struct {
	obj        platform.Object
	cat        Category
	department string
}

// gen generates items for one account of one platform.
type gen struct {
	platform platform.Name
	account  string
	seed     uint64
	start    time.Time
	interval time.Duration
}

func hash64(parts ...string) uint64 {
	h := fnv.New64a()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return h.Sum64()
}

// rng is item k's own random stream: the same seed, platform, account and
// k always give the same item, whatever was generated before.
func (g gen) rng(k int, salt string) *rand.Rand {
	return rand.New(rand.NewPCG(g.seed^hash64(string(g.platform), g.account, salt), uint64(k)))
}

// at is when item k appears: one per interval, at a point within its slot.
func (g gen) at(k int) time.Time {
	j := time.Duration(g.rng(k, "time").Int64N(int64(g.interval)))
	return g.start.Add(time.Duration(k)*g.interval + j)
}

func (g gen) id(kind string, k int) string {
	return fmt.Sprintf("sim-%s-%s-%d", tag(g.account), kind, k)
}

// tag makes an account id safe and short inside object ids.
func tag(account string) string {
	var b strings.Builder
	for _, r := range account {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
		if b.Len() >= 24 {
			break
		}
	}
	if b.Len() == 0 {
		return "x"
	}
	return b.String()
}

// hasMessages tells whether the platform has private messages.
func hasMessages(p platform.Name) bool {
	return p == platform.Facebook || p == platform.Instagram || p == platform.Sim || p == ""
}

// item generates item k.
func (g gen) item(k int) item {
	if k%postEvery == 0 {
		return g.post(k)
	}
	r := g.rng(k, "item")
	cat := pick(r)
	if cat == CatMessage && !hasMessages(g.platform) {
		cat = CatQuestion
	}
	post := g.id("p", k-k%postEvery)
	it := item{cat: cat, obj: platform.Object{Kind: platform.KindComment, ParentID: post, ThreadID: post,
		Author: g.citizen(r), CreatedAt: g.at(k)}}
	it.obj.UpdatedAt = it.obj.CreatedAt
	f := filler{r: r}
	switch cat {
	case CatQuestion:
		it.department = departments[r.IntN(len(departments))]
		it.obj.Text = f.fill(oneOf(r, departmentQuestions[it.department]))
	case CatPraise:
		it.obj.Text = f.fill(oneOf(r, praise))
		if g.platform == platform.Instagram && r.IntN(3) == 0 {
			it.obj.Kind, it.obj.ParentID, it.obj.ThreadID = platform.KindMention, "", g.id("n", k)
			it.obj.Text = "@exempelbykommun " + it.obj.Text
		}
	case CatComplaint:
		it.obj.Text = f.fill(oneOf(r, complaints))
	case CatRumour:
		it.obj.Text = f.fill(oneOf(r, rumours))
	case CatPersonnr:
		it.obj.Text = f.fill(oneOf(r, piiPersonnummer))
	case CatPhone:
		it.obj.Text = f.fill(oneOf(r, piiPhone))
	case CatThreat:
		it.obj.Text = f.fill(oneOf(r, threats))
	case CatMessage:
		conv := fmt.Sprintf("sim-%s-conv-%s", tag(g.account), tag(it.obj.Author.ExternalID))
		it.obj.Kind, it.obj.ParentID, it.obj.ThreadID = platform.KindMessage, "", conv
		it.obj.Text = f.fill(oneOf(r, privateMessages))
	case CatThreadReply:
		it.obj.Text = f.fill(oneOf(r, threadReplies))
		if parent, ok := g.earlierComment(k, r); ok {
			it.obj.Kind, it.obj.ParentID = platform.KindReply, parent
		}
	}
	it.obj.Text = decorate(r, cat, it.obj.Text, it.obj.Author.Name)
	it.obj.ExternalID = g.id(kindTag(it.obj.Kind), k)
	it.obj.Permalink = g.permalink(it.obj.ExternalID)
	return it
}

// earlierComment picks a comment under the same post to answer: the
// latest earlier item of the post that is a top-level comment.
func (g gen) earlierComment(k int, r *rand.Rand) (string, bool) {
	first := k - k%postEvery + 1
	if k-1 < first {
		return "", false
	}
	for j := first + r.IntN(k-first); j >= first; j-- {
		if it := g.item(j); it.obj.Kind == platform.KindComment {
			return it.obj.ExternalID, true
		}
	}
	return "", false
}

func (g gen) post(k int) item {
	r := g.rng(k, "post")
	f := filler{r: r}
	at := g.at(k)
	obj := platform.Object{ExternalID: g.id("p", k), Kind: platform.KindPost, Author: pageAuthor(g.account),
		Text: f.fill(oneOf(r, pagePosts)), CreatedAt: at, UpdatedAt: at}
	obj.ThreadID = obj.ExternalID
	obj.Permalink = g.permalink(obj.ExternalID)
	if g.platform == platform.YouTube {
		obj.Attachments = []platform.Attachment{{Kind: "video", URL: obj.Permalink, Title: obj.Text}}
	}
	return item{obj: obj, cat: CatPost}
}

func (g gen) citizen(r *rand.Rand) platform.Author {
	i := r.IntN(len(firstNames) * len(lastNames))
	first, last := firstNames[i%len(firstNames)], lastNames[i/len(firstNames)]
	handle := strings.ToLower(first) + fmt.Sprint(10+i%90)
	return platform.Author{ExternalID: fmt.Sprintf("sim-user-%d", i), Name: first + " " + last, Handle: handle,
		ProfileURL: "https://sim.example.invalid/" + string(g.platform) + "/" + handle}
}

func pageAuthor(account string) platform.Author {
	return platform.Author{ExternalID: account, Name: "Exempelby kommun", Handle: "exempelbykommun", IsPage: true}
}

func (g gen) permalink(id string) string {
	return "https://sim.example.invalid/" + string(g.platform) + "/" + id
}

func kindTag(k platform.Kind) string {
	switch k {
	case platform.KindReply:
		return "r"
	case platform.KindMessage:
		return "m"
	case platform.KindMention:
		return "n"
	case platform.KindPost:
		return "p"
	}
	return "c"
}

func pick(r *rand.Rand) Category {
	n := r.IntN(1000)
	for _, w := range weights {
		if n < w.w {
			return w.cat
		}
		n -= w.w
	}
	return CatQuestion
}

func oneOf(r *rand.Rand, s []string) string { return s[r.IntN(len(s))] }

// decorate greets and signs some texts the way people do, and starts every
// text with a capital letter.
func decorate(r *rand.Rand, cat Category, text, author string) string {
	first, _, _ := strings.Cut(author, " ")
	switch cat {
	case CatQuestion, CatComplaint, CatMessage, CatRumour, CatPhone, CatPersonnr:
		if n := r.IntN(10); n < 4 && !strings.HasPrefix(text, "Hej") {
			text = oneOf(r, greetings) + " " + text
		}
		if r.IntN(10) < 4 {
			text += " " + strings.ReplaceAll(oneOf(r, signOffs), "{namn}", first)
		}
	}
	if text == "" {
		return text
	}
	rs := []rune(text)
	return strings.ToUpper(string(rs[0])) + string(rs[1:])
}

// filler fills a template's placeholders from one random stream.
type filler struct{ r *rand.Rand }

func (f filler) fill(tpl string) string {
	pnr := testPersonnummer[f.r.IntN(len(testPersonnummer))]
	if f.r.IntN(2) == 0 {
		pnr = pnr[2:8] + "-" + pnr[8:] // the short form people usually write
	}
	return strings.NewReplacer(
		"{gata}", oneOf(f.r, streets), "{omrade}", oneOf(f.r, districts), "{skola}", oneOf(f.r, schools),
		"{forskola}", oneOf(f.r, preschools), "{boende}", oneOf(f.r, careHomes), "{dag}", oneOf(f.r, weekdays),
		"{tid}", oneOf(f.r, times), "{barn}", oneOf(f.r, children), "{personal}", oneOf(f.r, staff),
		"{pnr}", pnr, "{tel}", oneOf(f.r, fictionPhones),
	).Replace(tpl)
}

package score
import ("testing";"os";"fmt")
func TestEvalPrint(t *testing.T){
 for _, f := range []string{"data/eval.jsonl","testdata/tuning.jsonl","testdata/dev.jsonl"} {
  fh,_ := os.Open(f); rep, err := Evaluate(fh); if err!=nil {t.Fatal(err)}
  fmt.Println(f); rep.WriteTable(os.Stdout)
  if os.Getenv("MISTAKES")==f { for _, m := range rep.Mistakes { fmt.Printf("%v %s missed=%v %.2f %s\n", m.Line, m.Category, m.Missed, m.Score, m.Text) } }
 }
}

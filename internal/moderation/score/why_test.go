package score
import ("testing";"encoding/json";"fmt";"os";"strings")
func TestWhy(t *testing.T){
 for _, s := range strings.Split(os.Getenv("WHY"), "|") {
  r := Classify(s); b,_ := json.MarshalIndent(r.Reasons, "", " "); fmt.Println(s, r.Scores); fmt.Println(string(b))
 }
}

package sim

// testPersonnummer are Skatteverket's test personal identity numbers, which
// are guaranteed never to belong to a real person. Source: Skatteverket's
// open data set "Testpersonnummer" (dataportal.se, dataset 6_67959), as
// collected in github.com/personnummer/meta testdata/allPins.json (commit
// c44a844a), copied here from /work/shared/data/pnr. Use no other numbers.
var testPersonnummer = []string{
	"198611182380",
	"197405269288",
	"199202032380",
	"198108112387",
	"200105092399",
	"198106062386",
	"195801082743",
}

// fictionPhones are mobile numbers the Swedish Post and Telecom Authority
// (PTS) reserves for fiction (070-174 06 05 to 070-174 06 99), written the
// ways people write them.
var fictionPhones = []string{
	"070-174 06 12",
	"0701740637",
	"070-1740688",
	"+46 70 174 06 54",
	"070 174 06 21",
}

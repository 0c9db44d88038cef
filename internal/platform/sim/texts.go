package sim

// The simulated citizens' texts, written for Tilltal's demo. Placeholders
// in braces are filled per event so that texts rarely repeat exactly:
// {gata} street, {omrade} district, {skola} school, {forskola} preschool,
// {boende} care home, {dag} weekday, {tid} time, {barn} a child's name,
// {personal} a staff member's first name, {pnr} a test personnummer,
// {tel} a fiction phone number.

// departmentQuestions are questions to the municipality's departments.
var departmentQuestions = map[string][]string{
	"skola": {
		"Hej! När börjar höstterminen på {skola} i år?",
		"Varför får inte {barn} åka skolskjuts längre? Vi bor på {gata} och det är långt.",
		"Serveras det vegetarisk lunch varje dag på {skola}?",
		"Hur ansöker man om byte av skola till {skola}? Finns det platser kvar i årskurs 4?",
		"Vem ska man kontakta om mobbning på {skola}? Mentorn svarar inte.",
	},
	"förskola": {
		"Hur lång är kön till {forskola} just nu?",
		"Har {forskola} stängt på {dag}? Vi hittar ingen information.",
		"Hur gör man för att säga upp sin förskoleplats?",
		"Stämmer det att man måste ha barnet på plats senast 09.00 på {forskola}?",
		"Var kan jag se planeringsdagarna för {forskola} i vår?",
	},
	"äldreomsorg": {
		"Min pappa bor på {boende}, vilka besökstider gäller nu?",
		"Hur ansöker man om hemtjänst? Min mamma klarar sig inte själv längre.",
		"Får man ta med hunden när man hälsar på på {boende}?",
		"Vem bestämmer om trygghetslarm? Vi har väntat i tre veckor.",
	},
	"bygglov": {
		"Behöver jag bygglov för ett attefallshus på 25 kvm på {gata}?",
		"Hur lång är handläggningstiden för bygglov just nu?",
		"Vi vill bygga ett staket mot {gata}, hur högt får det vara utan lov?",
		"Min bygglovsansökan har legat i sex veckor. Vem kan jag ringa?",
		"Behövs det lov för solceller på taket i {omrade}?",
	},
	"sophämtning": {
		"Soporna på {gata} hämtades inte i {dag}. När kommer bilen?",
		"Var lämnar man grovsopor? Har återvinningscentralen öppet på {dag}?",
		"Kan man få ett större kärl för matavfall? Vi är sex personer.",
		"Hur ofta töms glasigloon vid {omrade} centrum? Den är alltid full.",
		"Varför har taxan för sophämtning höjts igen?",
	},
	"snöröjning": {
		"När plogas {gata}? Vi kommer inte ut med bilen.",
		"Cykelbanan mellan {omrade} och centrum är inte sandad, någon kommer att halka.",
		"Vem ansvarar för snöröjningen på gångvägen vid {skola}?",
		"Plogbilen lämnade en snövall framför vår infart på {gata} igen. Vad gäller?",
	},
	"bibliotek": {
		"Vilka öppettider har biblioteket i {omrade} i jul?",
		"Kan man låna e-böcker med lånekortet från biblioteket?",
		"Har biblioteket sagostund för barn på {dag}ar?",
		"Jag har tappat mitt lånekort, hur får jag ett nytt?",
	},
	"simhall": {
		"Är simhallen öppen för motionssim på {dag} kväll?",
		"Vad kostar ett årskort på simhallen för pensionärer?",
		"När börjar nästa simskola för sexåringar?",
		"Är bastun på simhallen lagad nu?",
	},
	"parkering": {
		"Gäller parkeringsförbudet på {gata} även på helger?",
		"Hur ansöker man om parkeringstillstånd för rörelsehindrade?",
		"Varför fick jag böter vid {omrade} torg när skylten var täckt av snö?",
		"Finns det laddplatser för elbil vid kommunhuset?",
	},
}

var praise = []string{
	"Stort tack till personalen på {boende} som tog så fint hand om min mamma!",
	"Vad snabbt {gata} blev plogad i morse, bra jobbat!",
	"{forskola} är helt fantastisk. {personal} är guld värd.",
	"Nya lekplatsen i {omrade} blev jättefin, barnen älskar den.",
	"Tack för en toppenkväll på biblioteket, bra föreläsning!",
	"Simhallen har blivit så mycket bättre efter renoveringen.",
	"Vilken bra information om sophämtningen, äntligen förstår jag sorteringen.",
	"Heja {skola}! Fina resultat på skolgalan.",
	"Tack {personal} på bygglovsenheten för snabb och vänlig hjälp.",
	"Så skönt att gatlyktorna på {gata} äntligen är lagade.",
}

var complaints = []string{
	"Det är tredje veckan i rad som soporna inte hämtas på {gata}. Helt oacceptabelt.",
	"Varför tar det fyra månader att få svar på ett bygglov? Ni borde skämmas.",
	"Vägarna i {omrade} är fulla av hål. Jag har fått byta däck två gånger.",
	"Min son har inte fått någon lärare i matte på hela terminen på {skola}.",
	"Ingen svarar i telefon på kommunen. Jag har ringt {tid} tre dagar i rad.",
	"Maten på {boende} är kall när den kommer fram. Pappa äter ingenting.",
	"Det luktar avlopp vid {gata} sedan i somras och ingen gör något.",
	"Parkeringsvakterna är överallt men snöröjarna syns aldrig.",
	"Simhallen var stängd igen utan förvarning när vi kom på {dag}.",
	"Biblioteket har tagit bort tidningarna. Vi äldre som inte har dator då?",
	"{forskola} har haft vikarier hela hösten, barnen mår inte bra av det.",
	"Gatubelysningen på {gata} har varit trasig sedan oktober. Det är livsfarligt.",
}

var rumours = []string{
	"Stämmer det att {skola} ska läggas ner efter sommaren?",
	"Hörde att simhallen ska stänga för gott. Är det sant?",
	"Någon sa att sophämtningen bara ska bli en gång i månaden nu?",
	"Jag har hört att kommunen ska sälja skogen i {omrade} till ett gruvbolag.",
	"Är det sant att det blir avgift för att låna böcker på biblioteket?",
	"Det sägs att vattnet i {omrade} är förorenat. Varför säger ni ingenting?",
	"Ryktet går att {boende} ska privatiseras. Vad händer med personalen?",
	"Stämmer det att parkeringen vid {gata} ska kosta pengar dygnet runt?",
}

var privateMessages = []string{
	"Hej, jag vill inte skriva offentligt, men min mamma på {boende} får inte sin medicin i tid. Vem kan jag prata med?",
	"Hej! Jag jobbar som lärare och vill veta om ni har lediga tjänster på {skola}.",
	"Jag har en fråga om min faktura för sophämtning, kan någon ringa mig?",
	"Hej, vår granne bygger något stort utan bygglov på {gata}. Kan jag anmäla det anonymt?",
	"Min dotter {barn} blir utfryst på {skola}. Jag vet inte vart jag ska vända mig.",
	"Kan ni hjälpa mig att hitta rätt blankett för att söka bostadsanpassning?",
	"Hej, jag fick ett konstigt brev från kommunen om min förskoleplats. Är det äkta?",
	"Tack för hjälpen förra veckan, allt löste sig!",
}

// piiPersonnummer and piiPhone put personal data where it should not be.
var piiPersonnummer = []string{
	"Hej, mitt personnummer är {pnr}. Kan ni kolla varför min bygglovsansökan inte är klar?",
	"Min pappa har personnummer {pnr} och har fortfarande inte fått hemtjänst. Snälla hjälp.",
	"Ring mig om förskoleplatsen, personnummer {pnr} om ni behöver slå upp mig.",
	"Fakturan från er gäller fel person! Jag har {pnr}, inte min bror.",
}

var piiPhone = []string{
	"Kan någon från skolan ringa mig på {tel}? Det gäller {barn}.",
	"Mitt nummer är {tel}, ring mig om soporna på {gata}.",
	"Min mamma på {boende} vill att någon ringer henne, {tel}.",
	"Jag säljer en barnvagn om någon vill ha, ring {tel}.",
}

// threats and hate are deliberately mild but clearly belong in moderation:
// an unlawful threat, a threat of violence, and group hatred.
var threats = []string{
	"Jag ska se till att du får ångra dig, jag vet var du bor.",
	"Om ni inte plogar {gata} i morgon kommer jag ner till kommunhuset och då blir det inte trevligt för någon.",
	"Handläggaren {personal} borde få en läxa hon sent glömmer. Jag vet vilken bil hon kör.",
	"Jag tänker bränna ner hela återvinningscentralen om ni inte öppnar på {dag}ar.",
	"Det är invandrarna som förstör {omrade}. Sådana borde inte få bo här.",
	"Ni är en samling idioter allihop och ni ska få se vad som händer nu. Akta er.",
}

// threadReplies are citizens answering each other.
var threadReplies = []string{
	"Samma problem här på {gata}.",
	"Ring kundtjänst, det brukar gå fortare.",
	"Det där stämmer inte alls, jag var där i {dag}s.",
	"Håller med helt!",
	"Har du fått något svar än?",
	"Det står på kommunens hemsida, under Bo och bygga.",
	"Vi har väntat lika länge i {omrade}.",
	"Källa på det? Låter som ett rykte.",
}

// followUps answer the municipality's replies.
var followUps = []string{
	"Tack för snabbt svar!",
	"Okej, men varför står det något annat på hemsidan?",
	"Tack, då vet jag.",
	"Det där var inte svar på min fråga.",
	"Toppen, tack för hjälpen!",
	"Kan ni skicka en länk till det ni skriver om?",
}

// pagePosts are the municipality's own posts, which comments answer.
var pagePosts = []string{
	"Nu startar vinterns snöröjning. Så här prioriterar vi gator och cykelbanor i {omrade}.",
	"Biblioteket i {omrade} har nya öppettider från och med måndag.",
	"Ansökan till förskola för hösten är öppen. Ansök senast den 31 mars.",
	"Simhallen stänger för service vecka 12. Välkommen tillbaka vecka 13!",
	"Sophämtningen flyttas en dag under helgveckan. Se schemat för {gata} och andra gator.",
	"Nu kan du lämna synpunkter på förslaget till ny detaljplan för {omrade}.",
	"Välkommen på öppet hus på {skola} på {dag} kl. 18.",
	"Vi söker sommarvikarier till äldreomsorgen, bland annat på {boende}.",
	"Gatuarbeten på {gata} i två veckor. Räkna med omledning.",
	"Kommunfullmäktige sammanträder på {dag}. Följ mötet direkt på webben.",
}

// greetings and signOffs vary how people open and close what they write.
var (
	greetings = []string{"Hej!", "Hej kommunen!", "Hallå där.", "Hej, en fråga.", "God morgon!", "Ursäkta,"}
	signOffs  = []string{"Tack på förhand!", "Mvh {namn}", "/{namn}", "Hälsningar {namn}", "Tacksam för svar.", "Mvh en orolig förälder"}
)

// Fill-ins for the placeholders.
var (
	streets    = []string{"Storgatan", "Kyrkvägen", "Björkvägen", "Ängsvägen", "Skolgatan", "Järnvägsgatan", "Sjövägen", "Tallbacken", "Linnégatan", "Kvarngatan", "Repslagaregatan", "Hagvägen"}
	districts  = []string{"Norrby", "Söderå", "Västra Ekeby", "Hagalund", "Bruket", "Strandnäs", "Centrum", "Östra Mon"}
	schools    = []string{"Ekebyskolan", "Norrbyskolan", "Sjöstadsskolan", "Hagaskolan", "Brukets skola"}
	preschools = []string{"förskolan Solrosen", "förskolan Blåklockan", "förskolan Trollskogen", "förskolan Myrstacken"}
	careHomes  = []string{"Lindgården", "Solbacka äldreboende", "vårdboendet Ekhagen", "Strandgården"}
	weekdays   = []string{"måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag"}
	times      = []string{"kl. 8", "kl. 10", "på lunchen", "efter kl. 15", "hela förmiddagen"}
	children   = []string{"Alva", "Noah", "Elsa", "Omar", "Wilma", "Liam", "Saga", "Ebbe", "Nora", "Yusuf"}
	staff      = []string{"Annika", "Mats", "Leila", "Birgitta", "Jonas", "Marie", "Tomas", "Fatima"}
	firstNames = []string{"Anna", "Erik", "Fatima", "Mohammed", "Lars", "Karin", "Sara", "Johan", "Elin", "Ahmed", "Maja", "Oskar",
		"Linnea", "Per", "Ingrid", "Ali", "Emma", "Nils", "Sofia", "Hassan", "Britt", "Gunnar", "Leila", "Jonas"}
	lastNames = []string{"Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson",
		"Svensson", "Gustafsson", "Pettersson", "Jonsson", "Lindberg", "Hussein", "Berg", "Lund", "Ek", "Holm", "Sandberg", "Yilmaz"}
)

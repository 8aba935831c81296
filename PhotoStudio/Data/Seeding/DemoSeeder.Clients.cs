namespace PhotoStudio.Data.Seeding;

/// <summary>Forty clients from Berlin's mix of languages, some of them with tags, notes, staff notes and marketing consent, and their consent log.</summary>
public partial class DemoSeeder
{
    private static readonly (string Name, string Email)[] ClientNames =
    [
        ("Lena Schneider", "lena.schneider"), ("Jonas Fischer", "jonas.fischer"), ("Sophie Meyer", "sophie.meyer"),
        ("Maximilian Weber", "max.weber"), ("Hannah Schulz", "hannah.schulz"), ("Lukas Hoffmann", "lukas.hoffmann"),
        ("Jürgen Müller", "juergen.mueller"), ("Anja Krüger", "anja.krueger"), ("Felix Wagner", "felix.wagner"),
        ("Marie Zimmermann", "marie.zimmermann"), ("Tobias Braun", "tobias.braun"), ("Katharina Hartmann", "k.hartmann"),
        ("Niklas Schäfer", "niklas.schaefer"), ("Lea Koch", "lea.koch"), ("Paul Richter", "paul.richter"),
        ("Greta Neumann", "greta.neumann"),
        ("Olga Smirnova", "olga.smirnova"), ("Dmitri Ivanov", "dmitri.ivanov"), ("Natalia Kuznetsova", "natalia.kuznetsova"),
        ("Alexei Volkov", "alexei.volkov"), ("Ekaterina Popova", "katya.popova"), ("Sergei Morozov", "sergei.morozov"),
        ("Анастасия Лебедева", "anastasia.lebedeva"), ("Михаил Козлов", "mikhail.kozlov"), ("Irina Novikova", "irina.novikova"),
        ("Pavel Sokolov", "pavel.sokolov"), ("Yulia Fedorova", "yulia.fedorova"), ("Artem Orlov", "artem.orlov"),
        ("Emily Johnson", "emily.johnson"), ("James Smith", "james.smith"), ("Olivia Brown", "olivia.brown"),
        ("Harry Wilson", "harry.wilson"), ("Charlotte Taylor", "charlotte.taylor"), ("George Davies", "george.davies"),
        ("Amelia Evans", "amelia.evans"), ("Jack Thomas", "jack.thomas"), ("Isla Roberts", "isla.roberts"),
        ("Noah Walker", "noah.walker"), ("Grace O'Connor", "grace.oconnor"), ("Ella Murphy", "ella.murphy"),
    ];

    private static readonly string[] ClientSources = ["web", "web", "web", "web", "phone", "phone", "instagram", "instagram", "walk-in"];
    private static readonly string[] TagPool = ["repeat", "vip", "family", "newborn", "business", "influencer", "student", "wedding"];
    private static readonly string[] ClientNotePool =
    [
        "", "", "", "", "", "Prefers morning sessions.", "Allergic to lilies - no fresh flowers in the set.",
        "Comes with a dog (golden retriever).", "Speaks Russian and German.", "Wants invoices addressed to her company.",
        "Asked for black-and-white edits last time.", "Uses a wheelchair: book the ground-floor rooms.",
    ];

    private List<Client> CreateClients()
    {
        var clients = new List<Client>();
        foreach (var (name, local) in ClientNames)
        {
            var created = now - TimeSpan.FromDays(rng.Next(45, 720)) - TimeSpan.FromMinutes(rng.Next(0, 24 * 60));
            var source = Pick(ClientSources);
            var tags = new HashSet<string>();
            for (var t = rng.Next(0, 4) - 1; t > 0; t--) tags.Add(Pick(TagPool));
            clients.Add(new Client
            {
                Name = name,
                Email = $"{local}@example.com",
                Phone = $"+49 1{Pick(["51", "52", "57", "60", "62", "70", "76"])} {rng.Next(1000, 9999)} {rng.Next(1000, 9999)}",
                Notes = Pick(ClientNotePool),
                Tags = [.. tags.Order()],
                // Web bookings cannot be made without accepting the terms; some phone and walk-in clients never did.
                TermsAcceptedAt = source is "web" or "instagram" || rng.NextDouble() < 0.6 ? Second(created) : null,
                MarketingOptIn = rng.NextDouble() < 0.4,
                Source = source,
                CreatedAt = Second(created),
            });
        }
        // Derived from what was drawn above, without drawing more, so the bookings that follow stay as they were.
        for (var i = 0; i < clients.Count; i++)
        {
            clients[i].Consents = ConsentLog(clients[i]);
            if (i % 6 == 2) clients[i].StaffNotes = [StaffNote(clients[i], i)];
        }
        return clients;
    }

    private static readonly string[] StaffNotePool =
    [
        "Called to confirm the outfit list; will bring two changes.", "Prefers to be contacted by phone, not email.",
        "Asked about a gift voucher for her sister.", "Paid the last session late; remind about the deposit.",
        "Happy with the last edit; wants the same retoucher again.", "Interested in a yearly family package.",
        "Needs an invoice with the company's VAT number.",
    ];

    /// <summary>The consent log that matches the client's record: the terms when they were accepted, the marketing opt-in.</summary>
    private List<ClientConsent> ConsentLog(Client client)
    {
        var web = client.Source is "web" or "instagram";
        var (source, by) = web ? ("web", "client") : ("staff", staff.Reception.UserId);
        var log = new List<ClientConsent>();
        if (client.TermsAcceptedAt is { } terms)
            log.Add(new ClientConsent { Kind = ClientConsent.Terms, Granted = true, At = terms, Source = source, By = by });
        if (client.MarketingOptIn)
            log.Add(new ClientConsent { Kind = ClientConsent.Marketing, Granted = true, At = client.CreatedAt, Source = source, By = by });
        return log;
    }

    private ClientNote StaffNote(Client client, int index)
    {
        var author = index % 4 == 2 ? staff.Manager : staff.Reception;
        return new ClientNote
        {
            AuthorId = author.UserId, AuthorName = author.FullName, At = client.CreatedAt.AddDays(1 + index % 9).AddHours(3),
            Text = StaffNotePool[index % StaffNotePool.Length],
        };
    }
}

namespace PhotoStudio.Data.Seeding;

/// <summary>
/// A duplicate the web form made: the wizard finds a returning client by email, so a client who booked again with their
/// private address became a second client, with the same phone typed the national way. /clients/duplicates shows the pair.
/// </summary>
public partial class DemoSeeder
{
    /// <summary>The latest web booking of the first client with several bookings becomes the second client's only one.</summary>
    private void AddWebDuplicate(List<Booking> bookings)
    {
        var booking = bookings.Where(b => b.Source == "web")
            .GroupBy(b => b.Client!)
            .Where(g => bookings.Count(b => b.Client == g.Key) >= 2)
            .OrderBy(g => g.Key.Id)
            .Select(g => g.MaxBy(b => b.CreatedAt)!)
            .First();
        var original = booking.Client!;
        // "+49 151 1234 5678" typed as "0151 12345678": other digits in front, the same last ten.
        var national = "0" + new string([.. original.Phone.Where(char.IsAsciiDigit).Skip(2)]);
        var duplicate = new Client
        {
            Name = original.Name,
            Email = original.Email.Split('@')[0].Replace(".", "") + "@gmail.com",
            Phone = national.Length > 5 ? $"{national[..4]} {national[4..]}" : national,
            TermsAcceptedAt = booking.CreatedAt,
            Source = "web",
            CreatedAt = booking.CreatedAt,
        };
        db.Clients.Add(duplicate);
        booking.Client = duplicate;
        booking.ContactName = duplicate.Name;
        booking.ContactPhone = duplicate.Phone;
    }
}

using System.Globalization;
using Microsoft.AspNetCore.Identity;

namespace PhotoStudio.Data.Seeding;

/// <summary>The people: six staff accounts with their roles, weekly hours and a little time off.</summary>
public partial class DemoSeeder
{
    // Identity keeps the TOTP secret as a user token under this provider and name.
    private const string TokenProvider = "[AspNetUserStore]";
    private const string AuthenticatorKeyName = "AuthenticatorKey";

    private sealed record StaffProfile(string Email, string FullName, string Phone, string Position, string Color,
        (DayOfWeek Day, string Starts, string Ends)[] Hours);

    private static readonly DayOfWeek[] Weekdays =
        [DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday];

    private static (DayOfWeek, string, string)[] Every(IEnumerable<DayOfWeek> days, params (string Starts, string Ends)[] intervals) =>
        [.. days.SelectMany(d => intervals.Select(i => (d, i.Starts, i.Ends)))];

    private static readonly StaffProfile[] Profiles =
    [
        new("admin@demo.studio", "Katrin Vogel", "+49 30 2345 6701", "Studio owner", "#6f42c1",
            Every(Weekdays, ("09:00", "17:00"))),
        new("manager@demo.studio", "Thomas Becker", "+49 30 2345 6702", "Studio manager", "#fd7e14",
            Every(Weekdays, ("10:00", "18:00"))),
        new("reception@demo.studio", "Sophie Wagner", "+49 30 2345 6703", "Front desk", "#20c997",
            Every(Weekdays, ("09:00", "14:00"), ("14:30", "20:00"))),
        // Anna: weekdays, daytime.
        new("anna@demo.studio", "Anna Lehmann", "+49 151 4455 2101", "Senior photographer", "#d63384",
            Every(Weekdays, ("09:00", "17:00"))),
        // Ivan: Tuesday to Saturday, afternoons and evenings on weekdays.
        new("ivan@demo.studio", "Ivan Petrov", "+49 152 7781 3302", "Photographer", "#0d6efd",
            [.. Every([DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday], ("12:00", "20:00")),
             (DayOfWeek.Saturday, "10:00", "18:00")]),
        // Maria: a split day with a lunch break, Monday to Thursday, plus Saturday mornings.
        new("maria@demo.studio", "Maria Sokolova", "+49 160 9923 4403", "Photographer & retoucher", "#198754",
            [.. Every([DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday], ("09:00", "13:00"), ("14:00", "20:00")),
             (DayOfWeek.Saturday, "10:00", "15:00")]),
    ];

    private sealed record Staff(IReadOnlyList<Employee> All)
    {
        public Employee Admin => All[0];
        public Employee Manager => All[1];
        public Employee Reception => All[2];
        public Employee Anna => All[3];
        public Employee Ivan => All[4];
        public Employee Maria => All[5];
        public IReadOnlyList<Employee> Desk => [Admin, Manager, Reception];
    }

    private async Task<Staff> CreateStaffAsync(CancellationToken ct)
    {
        // PBKDF2 is deliberately slow; six hashes side by side instead of one after another.
        var hashes = await Task.WhenAll(Profiles.Select(_ => Task.Run(() => users.PasswordHasher.HashPassword(null!, Password), ct)));

        var employees = new List<Employee>();
        for (var i = 0; i < Profiles.Length; i++)
        {
            var profile = Profiles[i];
            var account = Accounts[i];
            var user = new StudioUser
            {
                UserName = account.Email,
                Email = account.Email,
                EmailConfirmed = true,
                LockoutEnabled = true,
                PhoneNumber = profile.Phone,
            };
            // The password is still checked against the configured rules; only the hashing ran above.
            foreach (var validator in users.PasswordValidators)
                Check(await validator.ValidateAsync(users, user, Password), account.Email);
            user.PasswordHash = hashes[i];
            Check(await users.CreateAsync(user), account.Email);
            Check(await users.AddToRoleAsync(user, account.Role), account.Email);
            if (account.AuthenticatorKey is { } key)
            {
                Check(await users.SetAuthenticationTokenAsync(user, TokenProvider, AuthenticatorKeyName, key), account.Email);
                Check(await users.SetTwoFactorEnabledAsync(user, true), account.Email);
            }

            employees.Add(new Employee
            {
                UserId = user.Id,
                FullName = profile.FullName,
                Phone = profile.Phone,
                Position = profile.Position,
                Color = profile.Color,
                WorkingHours = [.. profile.Hours.Select(h => new WorkingHours
                {
                    Weekday = h.Day, Starts = TimeOnly.Parse(h.Starts, CultureInfo.InvariantCulture), Ends = TimeOnly.Parse(h.Ends, CultureInfo.InvariantCulture),
                })],
            });
        }

        var team = new Staff(employees);
        GiveTimeOff(team);
        db.Employees.AddRange(employees);
        return team;
    }

    /// <summary>A holiday next week, sick leave last week and a dentist's afternoon, so every kind of absence shows.</summary>
    private void GiveTimeOff(Staff team)
    {
        var thisMonday = today.AddDays(-(((int)today.DayOfWeek + 6) % 7));
        team.Maria.TimeOff.Add(new TimeOff
        {
            StartsAt = Utc(thisMonday.AddDays(8), TimeOnly.MinValue), EndsAt = Utc(thisMonday.AddDays(11), TimeOnly.MinValue),
            Reason = "Holiday",
        });
        team.Ivan.TimeOff.Add(new TimeOff
        {
            StartsAt = Utc(thisMonday.AddDays(-5), TimeOnly.MinValue), EndsAt = Utc(thisMonday.AddDays(-3), TimeOnly.MinValue),
            Reason = "Sick leave",
        });
        // Part of a day, so the calendar shows that time off need not be whole days.
        var dentist = NextWeekday(today.AddDays(4));
        team.Anna.TimeOff.Add(new TimeOff
        {
            StartsAt = Utc(dentist, new TimeOnly(13, 0)), EndsAt = Utc(dentist, new TimeOnly(17, 0)),
            Reason = "Dentist appointment",
        });
    }

    private static void Check(IdentityResult result, string email)
    {
        if (!result.Succeeded)
            throw new InvalidOperationException(
                $"Seeding the demo account {email} failed: {string.Join("; ", result.Errors.Select(e => $"{e.Code}: {e.Description}"))}");
    }
}

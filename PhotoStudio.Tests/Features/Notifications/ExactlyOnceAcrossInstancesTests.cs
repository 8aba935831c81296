using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using PhotoStudio.Data;
using PhotoStudio.Tests.Support;
using Xunit.Abstractions;

namespace PhotoStudio.Tests.Features.Notifications;

/// <summary>
/// The crash drill runs alone, after the parallel part of the suite: what it measures (where a SIGKILL lands in a
/// sender's cycle, how soon the mail server handles each message) is timing, which other classes would disturb.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public class CrashDrillCollection
{
    public const string Name = "crash drills";
}

/// <summary>
/// The headline guarantee of the outbox: two app processes sweep one database, the one that is sending is SIGKILLed
/// in the middle of a sweep, a fresh process takes its place, and every reminder reaches the mail server exactly once
/// (by Message-ID and by booking and kind). Repeated over a few rounds so the figure means something; the figures
/// are written to the test output.
/// </summary>
[Collection(CrashDrillCollection.Name)]
public class ExactlyOnceAcrossInstancesTests(StudioApp app, ITestOutputHelper output) : IClassFixture<StudioApp>
{
    private const int PerRound = 200;
    private const int Rounds = 2;

    /// <summary>
    /// Per message and reply, so 200 messages take a few seconds: long enough to kill a sender with some but not all
    /// of them received, short enough for two rounds.
    /// </summary>
    private const int SmtpDelayMilliseconds = 8;

    [Fact]
    public async Task Every_reminder_arrives_exactly_once_when_the_sending_instance_is_killed_mid_sweep()
    {
        await using var smtp = await SmtpServer.StartAsync(SmtpDelayMilliseconds);
        var settings = new Dictionary<string, string>(smtp.EnvironmentSettings)
        {
            ["Jobs__Enabled"] = "true",
            ["Jobs__SweepSeconds"] = "1",
            ["Outbox__RetryBaseSeconds"] = "1",
            ["PHOTOSTUDIO_PUBLIC_URL"] = NotificationApp.PublicUrl,
        };
        var instances = new Dictionary<string, AppProcess>();
        var started = 0;
        AppProcess StartInstance()
        {
            // The application name tells the instances apart in pg_stat_activity, so the test can find the sender.
            var name = $"proof-{++started}";
            var connection = new NpgsqlConnectionStringBuilder(app.ConnectionString) { ApplicationName = name }.ConnectionString;
            return instances[name] = AppProcess.Start(connection, settings: settings);
        }

        try
        {
            await Task.WhenAll(StartInstance().WaitUntilReadyAsync(), StartInstance().WaitUntilReadyAsync());
            await Wait.UntilAsync(() => ScalarAsync<long>("SELECT count(*) FROM quartz.qrtz_scheduler_state"), n => n == 2,
                "both processes checked in to Quartz's cluster");
            // The demo's own due messages go first, so each round counts only its own.
            await Wait.UntilAsync(() => ScalarAsync<long>("SELECT count(*) FROM notifications WHERE status = 'Pending'"), n => n == 0,
                "the demo studio's outbox to drain");

            var room = await app.AddRoomAsync("Proof room");
            var firstStart = DateTime.UtcNow.AddHours(3);
            var totals = new Figures();
            for (var round = 1; round <= Rounds; round++)
            {
                var clock = Stopwatch.StartNew();
                var before = smtp.Count();
                // Booked three days ago, starting within a day: each is owed its 24-hour reminder now, none its 2-hour one yet.
                var bookingIds = await app.AddSessionsAsync(room, firstStart.AddMinutes(2 * PerRound * (round - 1)), PerRound, $"PS-R{round}",
                    DateTime.UtcNow.AddDays(-3));

                var (victim, receivedAtKill) = await Wait.UntilAsync(async () => (Sender: await SenderAsync(), Received: smtp.Count() - before),
                    seen => seen.Received >= PerRound * 9 / 10 || (seen.Received > PerRound / 10 && seen.Sender is not null),
                    "a sweep in progress with a sender holding a row", TimeSpan.FromSeconds(60), pollMilliseconds: 5);
                Assert.True(victim is not null && receivedAtKill < PerRound * 9 / 10,
                    $"The sweep was not caught in the middle: {receivedAtKill} of {PerRound} received.");
                await instances[victim!].KillAsync();
                instances.Remove(victim!);
                var replacement = StartInstance();

                await Wait.UntilAsync(() => ScalarAsync<long>("SELECT count(*) FROM notifications WHERE status = 'Pending' AND booking_id = ANY(@ids)", bookingIds),
                    n => n == 0, $"round {round}'s outbox to drain", TimeSpan.FromSeconds(60));
                await replacement.WaitUntilReadyAsync();
                await NotificationSteps.WaitForOutboxFiringsAsync(app.ConnectionString, 1);

                var figures = await FiguresAsync(smtp, bookingIds);
                totals += figures;
                output.WriteLine($"Round {round}: killed {victim} with {receivedAtKill} of {PerRound} received; {figures}; {clock.Elapsed.TotalSeconds:F1} s");
                Assert.Equal(PerRound, figures.Rows);
                Assert.Equal(PerRound, figures.RowsSent);
                Assert.Equal(PerRound, figures.Messages);
                Assert.Equal(0, figures.Missing);
                Assert.Equal(0, figures.DuplicateMessageIds);
                Assert.Equal(0, figures.DuplicateBookingKinds);
            }
            output.WriteLine($"In all, {Rounds} rounds with one instance SIGKILLed mid-sweep in each: {totals}");
            // The dead instances were recovered by the living ones and left the cluster's table.
            await Wait.UntilAsync(() => ScalarAsync<long>("SELECT count(*) FROM quartz.qrtz_scheduler_state"), n => n == 2,
                "the killed instances to leave quartz.qrtz_scheduler_state");
        }
        catch
        {
            foreach (var (name, process) in instances) output.WriteLine($"--- {name}:\n{process.Output}");
            throw;
        }
        finally
        {
            foreach (var process in instances.Values) await process.DisposeAsync();
        }
    }

    /// <summary>What the rows say and what the mail server got, for one set of bookings.</summary>
    private sealed record Figures(int Rows = 0, int RowsSent = 0, int Messages = 0, int Missing = 0, int DuplicateMessageIds = 0, int DuplicateBookingKinds = 0)
    {
        public static Figures operator +(Figures a, Figures b) => new(a.Rows + b.Rows, a.RowsSent + b.RowsSent, a.Messages + b.Messages,
            a.Missing + b.Missing, a.DuplicateMessageIds + b.DuplicateMessageIds, a.DuplicateBookingKinds + b.DuplicateBookingKinds);

        public override string ToString() =>
            $"{Rows} outbox rows, {RowsSent} Sent; {Messages} messages received, {Missing} missing, " +
            $"{DuplicateMessageIds} duplicates by Message-ID, {DuplicateBookingKinds} by (booking, kind)";
    }

    private async Task<Figures> FiguresAsync(SmtpServer smtp, int[] bookingIds)
    {
        await using var db = app.NewDb();
        var rows = await db.Notifications.AsNoTracking().Where(n => bookingIds.Contains(n.BookingId))
            .Select(n => new { n.Status, n.Recipient, n.ProviderMessageId }).ToListAsync();
        var recipients = rows.Select(r => r.Recipient).ToHashSet();
        // Each booking has a client address of its own: the recipient names the booking, the subject its kind.
        var messages = smtp.Messages().Where(m => m.To.Mailboxes.Any(a => recipients.Contains(a.Address))).ToList();
        var messageIds = messages.Select(m => m.MessageId).ToList();
        var bookingKinds = messages.Select(m => (m.To.Mailboxes.Single().Address, m.Subject)).ToList();
        return new Figures(
            Rows: rows.Count,
            RowsSent: rows.Count(r => r.Status == NotificationStatus.Sent),
            Messages: messages.Count,
            Missing: rows.Count(r => r.ProviderMessageId is null || !messageIds.Contains(r.ProviderMessageId)),
            DuplicateMessageIds: messageIds.Count - messageIds.Distinct().Count(),
            DuplicateBookingKinds: bookingKinds.Count - bookingKinds.Distinct().Count());
    }

    /// <summary>
    /// The instance sending right now: the one whose transaction holds a claimed outbox row (FOR UPDATE takes a
    /// RowShareLock on the table from the claim to the commit point), or null between two messages.
    /// </summary>
    private async Task<string?> SenderAsync() => await ScalarAsync<string?>("""
        SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
        WHERE l.locktype = 'relation' AND l.relation = 'notifications'::regclass AND l.mode = 'RowShareLock'
          AND a.application_name LIKE 'proof-%'
        LIMIT 1
        """);

    private Task<T> ScalarAsync<T>(string sql, int[]? ids = null) => NotificationSteps.ScalarAsync<T>(app.ConnectionString, sql, ids);
}

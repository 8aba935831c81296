using System.Diagnostics;
using System.Globalization;
using System.Net;
using Npgsql;
using PhotoStudio.Features.Board;
using PhotoStudio.Features.Notifications;
using PhotoStudio.Infrastructure.Events;
using PhotoStudio.Tests.Features.Board;
using PhotoStudio.Tests.Features.Notifications;
using PhotoStudio.Tests.Support;
using Xunit.Abstractions;

namespace PhotoStudio.Tests.Infrastructure;

/// <summary>
/// How big a crash drill is: the suite's short form, or with <c>PHOTOSTUDIO_DRILL=long</c> (what <c>ops/drill</c> sets) the
/// long one. Confirmations are sent at an even pace over <see cref="Burst"/>; instance A is SIGKILLed at
/// <see cref="KillAt"/> and started again, PostgreSQL crash-restarted at <see cref="CrashAt"/> (or once A is back, if later).
/// </summary>
/// <param name="Days">Over how many days the visitors' times are spread (each day's first few times are fought over).</param>
public sealed record DrillSize(string Name, int Confirmations, TimeSpan Burst, TimeSpan KillAt, TimeSpan CrashAt, int Days)
{
    public static readonly DrillSize Short = new("short", 60, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(5), 3);
    public static readonly DrillSize Long = new("long", 600, TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(12), TimeSpan.FromSeconds(32), 10);

    public static DrillSize Current => Environment.GetEnvironmentVariable("PHOTOSTUDIO_DRILL") == "long" ? Long : Short;
}

/// <summary>
/// A PostgreSQL of the drill's own, since the drill crashes it (on <c>PHOTOSTUDIO_DRILL_PG_PORT</c>, or a free port), with
/// the demo studio seeded by the app as the suite's template database is.
/// </summary>
public sealed class CrashDrillStudio : IAsyncLifetime
{
    public PrivatePostgres Postgres { get; private set; } = null!;

    /// <summary>The drill database, for the app instances (each names itself with <see cref="As"/>).</summary>
    public string ConnectionString { get; private set; } = "";

    /// <summary>The drill database without a pool, for the drill's own reads: a pooled connection would not survive the crash.</summary>
    public string Direct => new NpgsqlConnectionStringBuilder(ConnectionString) { Pooling = false }.ConnectionString;

    public async Task InitializeAsync()
    {
        var port = Environment.GetEnvironmentVariable("PHOTOSTUDIO_DRILL_PG_PORT") is { Length: > 0 } given
            ? int.Parse(given, CultureInfo.InvariantCulture) : (int?)null;
        Postgres = await PrivatePostgres.StartAsync(port);
        ConnectionString = await Postgres.CreateDatabaseAsync("drill");
        await StudioApp.BuildTemplateAsync(ConnectionString);
        NpgsqlConnection.ClearAllPools();
    }

    /// <summary>The connection string for an app instance that shows as <paramref name="name"/> in pg_stat_activity.</summary>
    public string As(string name) => new NpgsqlConnectionStringBuilder(ConnectionString) { ApplicationName = name }.ConnectionString;

    public Task<T> ScalarAsync<T>(string sql, params (string Name, object Value)[] parameters) =>
        NotificationSteps.ScalarAsync<T>(Direct, sql, parameters);

    public async Task DisposeAsync() => await Postgres.DisposeAsync();
}

/// <summary>
/// Crash drills on real processes: two app instances on one PostgreSQL take a burst of booking confirmations from
/// visitors fighting over the same times while one instance is SIGKILLed and PostgreSQL is crash-restarted; every
/// booking a visitor was told about must be in the database, no two may overlap, and both instances must come back by
/// themselves. Then an instance is stopped with SIGTERM in the middle of its work and must finish it. <c>ops/drill</c>
/// runs this class with the long settings (<see cref="DrillSize"/>); the figures go to the test output.
/// </summary>
[Collection(CrashDrillCollection.Name)]
public class CrashDrillTests(CrashDrillStudio studio, ITestOutputHelper output) : IClassFixture<CrashDrillStudio>
{
    /// <summary>The generic host's default: how long a stopping app waits for its requests and services.</summary>
    private static readonly TimeSpan HostShutdownTimeout = TimeSpan.FromSeconds(30);

    private const string LiveStatuses = "('Pending','Confirmed','Shooting','Editing','Delivered')";

    private readonly DrillSize size = DrillSize.Current;

    [Fact]
    public async Task Every_booking_a_visitor_was_told_of_survives_a_killed_instance_and_a_database_crash_and_none_overlap()
    {
        var processes = new List<(string Name, AppProcess Process)>();
        AppProcess StartInstance(string name)
        {
            var process = AppProcess.Start(studio.As($"drill-{name}"));
            processes.Add((name, process));
            return process;
        }
        var live = new[] { StartInstance("a"), StartInstance("b") };
        var b = live[1];
        try
        {
            await Task.WhenAll(live.Select(p => p.WaitUntilReadyAsync()));

            // Visitors walked to "Confirm" through the instance they will confirm through (even ones A, odd ones B).
            var services = await WizardVisitor.ServicesAsync(b);
            var days = await WizardVisitor.FreeDaysAsync(b, services[0]);
            Assert.True(days.Count >= 3, $"Only {days.Count} days with free times: {string.Join(", ", days)}");
            var burstDays = days.Take(Math.Min(size.Days, days.Count - 1)).ToList();
            var preparing = Stopwatch.StartNew();
            var visitors = new WizardVisitor?[size.Confirmations];
            await Parallel.ForEachAsync(Enumerable.Range(0, size.Confirmations), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
            {
                var pick = new Random(i);
                var (service, room, photographer, slot) = (services[pick.Next(services.Count)], Maybe(pick), Maybe(pick), pick.Next(6));
                for (var d = 0; d < burstDays.Count && visitors[i] is null; d++)
                    visitors[i] = await WizardVisitor.PrepareAsync(live[i % 2], service, room, photographer, burstDays[(i + d) % burstDays.Count], slot,
                        $"drill.{i % 40}@example.org");
            });
            var ready = visitors.Count(v => v is not null);
            output.WriteLine($"Crash drill ({size.Name}): {ready} visitors at the confirm step in {preparing.Elapsed.TotalSeconds:F1} s, " +
                $"times on {string.Join(", ", burstDays)}");
            Assert.True(ready >= size.Confirmations * 9 / 10, $"only {ready} of {size.Confirmations} visitors found a time");

            // The burst at an even pace, with the crashes in the middle of it.
            var outcomes = new ConfirmOutcome?[size.Confirmations];
            var sentAt = new TimeSpan[size.Confirmations];
            var clock = Stopwatch.StartNew();
            var crashes = CrashesAsync(clock, live, StartInstance);
            var sends = new List<Task>();
            for (var i = 0; i < size.Confirmations; i++)
            {
                if (visitors[i] is not { } visitor) continue;
                await UntilAsync(clock, size.Burst * i / size.Confirmations);
                var index = i;
                var target = Volatile.Read(ref live[i % 2]);
                sentAt[i] = clock.Elapsed;
                sends.Add(Task.Run(async () => outcomes[index] = await ConfirmAsync(visitor, target.BaseUrl)));
            }
            await Task.WhenAll(sends);
            var burst = clock.Elapsed;
            var recovery = await crashes;
            var a = live[0];

            // A visitor left without an answer presses "Confirm" again, as a person would: the same draft finds the booking
            // it became, or is told the time is taken; never a second booking.
            var unknown = Enumerable.Range(0, outcomes.Length).Where(i => outcomes[i]?.Result == ConfirmResult.Unknown).ToList();
            var resolved = new Dictionary<int, ConfirmOutcome>();
            foreach (var i in unknown) resolved[i] = await ConfirmAsync(visitors[i]!, live[i % 2].BaseUrl);

            var answered = outcomes.OfType<ConfirmOutcome>().ToList();
            var booked = answered.Where(o => o.Result == ConfirmResult.Booked).Select(o => o.Code!)
                .Concat(resolved.Values.Where(o => o.Result == ConfirmResult.Booked).Select(o => o.Code!)).Distinct().ToArray();
            var found = await studio.ScalarAsync<long>("SELECT count(*) FROM bookings WHERE code = ANY(@codes)", ("codes", booked));
            var duplicates = await studio.ScalarAsync<long>(
                "SELECT count(*) - count(DISTINCT draft_id) FROM bookings WHERE draft_id IS NOT NULL");
            var (roomOverlaps, photographerOverlaps) = (await OverlapsAsync("room_id"), await OverlapsAsync("photographer_id"));

            // Both instances by themselves: ready, listening again, and a change made now reaches a board on each.
            var bothReady = await ReadyAsync(a) && await ReadyAsync(b);
            var listening = await Task.WhenAll(live.Select(ListenerGaugeAsync));
            var boards = await BoardsHearAsync(a, b, services[0], days[^1]);

            output.WriteLine($"{answered.Count} confirmations attempted through 2 instances in {burst.TotalSeconds:F1} s; instance A SIGKILLed at " +
                $"{recovery.KilledAt.TotalSeconds:F1} s and started again, PostgreSQL crash-restarted (pg_ctl -m immediate) at {recovery.CrashedAt.TotalSeconds:F1} s");
            output.WriteLine("Answers: " + string.Join(", ", answered.GroupBy(o => o.Kind).OrderByDescending(g => g.Count()).Select(g => $"{g.Key} × {g.Count()}")));
            output.WriteLine($"303 (booked) {Count(ConfirmResult.Booked)} / 409 (taken) {Count(ConfirmResult.Taken)} / errors {answered.Count - Count(ConfirmResult.Booked) - Count(ConfirmResult.Taken)}: " +
                $"other answers {Count(ConfirmResult.Failed)}, not sent {Count(ConfirmResult.NotSent)}, unknown outcome (no answer) {unknown.Count}");
            var moments = new (string Name, TimeSpan Until)[]
            {
                ("before the kill", recovery.KilledAt), ("A down", recovery.KilledAt + recovery.AReady), ("A back", recovery.CrashedAt),
                ("PostgreSQL crash until both ready", recovery.CrashedAt + recovery.BothReady), ("after recovery", TimeSpan.MaxValue),
            };
            output.WriteLine("By moment: " + string.Join("; ", Enumerable.Range(0, outcomes.Length).Where(i => outcomes[i] is not null)
                .GroupBy(i => Array.FindIndex(moments, m => sentAt[i] < m.Until)).OrderBy(g => g.Key)
                .Select(g => $"{moments[g.Key].Name}: " + string.Join(", ", g.GroupBy(i => outcomes[i]!.Kind).Select(k => $"{k.Key} × {k.Count()}")))));
            output.WriteLine($"Unknown outcomes confirmed again after recovery: " + (unknown.Count == 0 ? "none"
                : string.Join(", ", resolved.Values.GroupBy(o => o.Kind).Select(g => $"{g.Key} × {g.Count()}"))));
            output.WriteLine($"Booked codes found in the database: {found} of {booked.Length}, missing {booked.Length - found}; " +
                $"bookings sharing a draft: {duplicates}; overlapping live bookings: {roomOverlaps} by room, {photographerOverlaps} by photographer");
            output.WriteLine($"Ready after the kill: A in {recovery.AReady.TotalSeconds:F1} s (restarted once). After the PostgreSQL restart " +
                $"(which took {recovery.PostgresBack.TotalSeconds:F1} s): both ready in {recovery.BothReady.TotalSeconds:F1} s, B without a restart; " +
                $"board listeners reconnected in {recovery.ListenersBack.TotalSeconds:F1} s; gauge photostudio_board_listener_connected {string.Join("/", listening)}");
            output.WriteLine($"A booking made after the crashes reached a board stream on A in {boards.A.TotalMilliseconds:F0} ms, on B in {boards.B.TotalMilliseconds:F0} ms");

            Assert.Equal(booked.Length, found);
            Assert.Equal(0, duplicates);
            Assert.Equal((0, 0), (roomOverlaps, photographerOverlaps));
            Assert.True(Count(ConfirmResult.Booked) > 0, "nothing was booked");
            Assert.True(bothReady, "an instance did not answer /health/ready with 200 after the drill");
            Assert.False(b.HasExited, "instance B died");
            Assert.Equal(3, processes.Count); // A, B and A again: nothing else was restarted
            Assert.All(listening, value => Assert.Equal(1, value));

            int Count(ConfirmResult result) => answered.Count(o => o.Result == result);
        }
        catch
        {
            foreach (var (name, process) in processes) output.WriteLine($"--- instance {name}:\n{process.Output}");
            throw;
        }
        finally
        {
            foreach (var (_, process) in processes) await process.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_terminated_instance_finishes_its_request_and_its_job_and_ends_its_board_stream_with_a_retry_hint()
    {
        const string name = "drill-drain";
        // Two writes hold tables, each keeping one piece of work waiting: the outbox (the scheduler's first outbox sweep
        // queues behind it, and finds the messages for the studio queued with it once it commits) and the closures (a
        // visitor's step 3 reads them to know the free times). The job is let go only after the request has been answered.
        var recipient = $"drill.drain.{Guid.NewGuid():N}@example.org";
        await using var outbox = await HoldAsync($"""
            LOCK TABLE notifications IN EXCLUSIVE MODE;
            INSERT INTO notifications (booking_id, kind, recipient, language, revision, status, attempts, next_attempt_at, last_error, subject, created_at)
            SELECT id, '{NotificationKind.NewBooking}', @recipient, 'en', revision, 'Pending', 0, now(), '', '', now()
            FROM bookings ORDER BY id LIMIT {QueuedBehindTheLock}
            """, ("recipient", recipient));

        await using var instance = AppProcess.Start(studio.As(name), settings: new Dictionary<string, string>
        {
            ["Jobs__Enabled"] = "true", ["Jobs__SweepSeconds"] = "1",
        });
        try
        {
            await instance.WaitUntilReadyAsync();
            using var reception = instance.NewClient();
            await reception.SignInAsync("reception@demo.studio");
            using var stream = await EventStream.ListeningAsync(reception);
            var services = await WizardVisitor.ServicesAsync(instance);
            var day = (await WizardVisitor.FreeDaysAsync(instance, services[0]))[^1];
            using var visitor = await WizardVisitor.StartAsync(instance, services[0], null, null);
            await using var closures = await HoldAsync("LOCK TABLE closures IN ACCESS EXCLUSIVE MODE");
            var choosing = visitor.GetAsync($"/book/when?day={day}");

            await Wait.UntilAsync(() => studio.ScalarAsync<bool>($"""
                SELECT coalesce(bool_or(l.relation = 'notifications'::regclass AND l.mode = 'RowShareLock'), false)
                   AND coalesce(bool_or(l.relation = 'closures'::regclass AND l.mode = 'AccessShareLock'), false)
                FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
                WHERE NOT l.granted AND a.application_name = '{name}'
                """), "the outbox sweep (FOR UPDATE) and the visitor's step 3 (reading the closures) to wait");
            var executing = await studio.ScalarAsync<long>("SELECT count(*) FROM quartz.qrtz_fired_triggers WHERE state = 'EXECUTING'");
            Assert.True(executing >= 1, "no job was running");

            var clock = Stopwatch.StartNew();
            instance.Terminate();
            var last = await stream.EndsAsync();
            var streamEnded = clock.Elapsed;
            Assert.False(choosing.IsCompleted, "the request was answered while it could not have read what it shows");
            await UntilAsync(clock, TimeSpan.FromSeconds(1)); // the request is kept waiting a while longer
            await closures.Transaction.RollbackAsync();
            using var response = await choosing;
            var answeredAt = clock.Elapsed;
            var times = (await response.ReadDocumentAsync()).QuerySelectorAll("#slots-form button.slot").Length;

            await UntilAsync(clock, answeredAt + TimeSpan.FromSeconds(1)); // and the job longer still
            var aliveWithJob = !instance.HasExited;
            await outbox.Transaction.CommitAsync();
            var released = clock.Elapsed;
            var exitCode = await instance.ExitedAsync(HostShutdownTimeout + TimeSpan.FromSeconds(10));
            var exitedAt = clock.Elapsed;
            var sent = await studio.ScalarAsync<long>("SELECT count(*) FROM notifications WHERE recipient = @r AND status = 'Sent'", ("r", recipient));
            var stillExecuting = await studio.ScalarAsync<long>("SELECT count(*) FROM quartz.qrtz_fired_triggers WHERE state = 'EXECUTING'");

            output.WriteLine($"SIGTERM drain: the board stream ended {streamEnded.TotalMilliseconds:F0} ms after SIGTERM with retry: {last?.Retry}; " +
                $"the request in flight answered {(int)response.StatusCode} with {times} times at {answeredAt.TotalSeconds:F1} s; " +
                $"{executing} job(s) executing at SIGTERM; the process {(aliveWithJob ? "was still running" : "had exited")} with its outbox sweep waiting at " +
                $"{released.TotalSeconds:F1} s, when that was let go; the sweep then sent {sent} of the {QueuedBehindTheLock} messages queued, " +
                $"{stillExecuting} job(s) left executing; exit code {exitCode} at {exitedAt.TotalSeconds:F1} s (host shutdown timeout {HostShutdownTimeout.TotalSeconds:F0} s)");

            Assert.InRange(last?.Retry ?? 0, BoardEventsController.StoppingRetryMinMs, BoardEventsController.StoppingRetryMaxMs);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.True(times > 0, $"no free times on {day}");
            Assert.True(aliveWithJob, "the process exited before its running job had finished");
            Assert.Equal(QueuedBehindTheLock, sent);
            Assert.Equal(0, stillExecuting);
            Assert.Equal(0, exitCode);
            Assert.True(exitedAt < HostShutdownTimeout, $"exited {exitedAt.TotalSeconds:F1} s after SIGTERM");
        }
        catch
        {
            output.WriteLine(instance.Output);
            throw;
        }
    }

    /// <summary>A transaction of the test's own that has run <paramref name="sql"/> and stays open (holding its locks) until ended or disposed.</summary>
    private async Task<HeldTransaction> HoldAsync(string sql, params (string Name, object Value)[] parameters)
    {
        var connection = new NpgsqlConnection(studio.Direct);
        await connection.OpenAsync();
        var transaction = await connection.BeginTransactionAsync();
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        foreach (var (key, value) in parameters) command.Parameters.AddWithValue(key, value);
        await command.ExecuteNonQueryAsync();
        return new HeldTransaction(connection, transaction);
    }

    private sealed record HeldTransaction(NpgsqlConnection Connection, NpgsqlTransaction Transaction) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Transaction.DisposeAsync();
            await Connection.DisposeAsync();
        }
    }

    /// <summary>Messages for the studio queued by the write that holds the outbox table in the SIGTERM drain.</summary>
    private const int QueuedBehindTheLock = 20;

    /// <summary>When the crashes happened and how long each took to heal, measured from the burst's start or the crash.</summary>
    private sealed record Recovery(TimeSpan KilledAt, TimeSpan AReady, TimeSpan CrashedAt, TimeSpan PostgresBack, TimeSpan BothReady, TimeSpan ListenersBack);

    /// <summary>
    /// SIGKILL instance A at <see cref="DrillSize.KillAt"/> and start it again (confirmations meanwhile find nobody there);
    /// once it is ready and <see cref="DrillSize.CrashAt"/> has come, crash-restart PostgreSQL and measure until both
    /// instances are ready and both board listeners have connected again.
    /// </summary>
    private async Task<Recovery> CrashesAsync(Stopwatch clock, AppProcess[] live, Func<string, AppProcess> start)
    {
        await UntilAsync(clock, size.KillAt);
        var killedAt = clock.Elapsed;
        await live[0].KillAsync();
        var again = start("a (restarted)");
        Volatile.Write(ref live[0], again);
        await again.WaitUntilReadyAsync();
        var aReady = clock.Elapsed - killedAt;

        await UntilAsync(clock, size.CrashAt);
        var crashedAt = clock.Elapsed;
        var crashedAtUtc = DateTime.UtcNow;
        await studio.Postgres.CrashRestartAsync();
        var postgresBack = clock.Elapsed - crashedAt;
        var bothReady = await Measure(async () => await ReadyAsync(live[0]) && await ReadyAsync(live[1]), "both instances to be ready again");
        var listenersBack = await Measure(async () => await studio.ScalarAsync<long>(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = @name AND backend_start > @crash",
            ("name", BoardEventListener.ApplicationName), ("crash", crashedAtUtc)) == 2, "both board listeners to connect again");
        return new Recovery(killedAt, aReady, crashedAt, postgresBack, bothReady, listenersBack);

        async Task<TimeSpan> Measure(Func<Task<bool>> condition, string what)
        {
            await Wait.UntilAsync(async () =>
            {
                try { return await condition(); }
                catch (NpgsqlException) { return false; }
            }, what, TimeSpan.FromSeconds(60), pollMilliseconds: 100);
            return clock.Elapsed - crashedAt;
        }
    }

    private static async Task<ConfirmOutcome> ConfirmAsync(WizardVisitor visitor, string baseUrl)
    {
        try
        {
            using var response = await visitor.ConfirmAsync(baseUrl);
            return WizardVisitor.Classify(response);
        }
        catch (Exception e)
        {
            return WizardVisitor.Classify(e);
        }
    }

    private static async Task<bool> ReadyAsync(AppProcess instance)
    {
        using var client = instance.NewClient();
        try
        {
            using var response = await client.GetAsync("/health/ready");
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    private static async Task<int> ListenerGaugeAsync(AppProcess instance)
    {
        using var client = instance.NewClient();
        var line = (await client.GetStringAsync("/metrics")).Split('\n').Single(l => l.StartsWith("photostudio_board_listener_connected "));
        return (int)double.Parse(line.Split(' ')[1], CultureInfo.InvariantCulture);
    }

    /// <summary>Live bookings that share a room (or photographer) and blocked time with another: the exclusion constraints' promise.</summary>
    private Task<long> OverlapsAsync(string column) => studio.ScalarAsync<long>($"""
        SELECT count(*) FROM bookings x JOIN bookings y ON x.id < y.id AND x.{column} = y.{column} AND x.blocked && y.blocked
        WHERE x.status IN {LiveStatuses} AND y.status IN {LiveStatuses}
        """);

    /// <summary>Opens a board stream on each instance, books through B, and returns how soon each stream heard of that booking.</summary>
    private async Task<(TimeSpan A, TimeSpan B)> BoardsHearAsync(AppProcess a, AppProcess b, string service, string day)
    {
        using var onA = a.NewClient();
        using var onB = b.NewClient();
        await onA.SignInAsync("reception@demo.studio");
        await onB.SignInAsync("reception@demo.studio");
        using var streamA = await EventStream.ListeningAsync(onA);
        using var streamB = await EventStream.ListeningAsync(onB);
        using var visitor = await WizardVisitor.PrepareAsync(b, service, null, null, day, 0, "drill.after@example.org")
            ?? throw new InvalidOperationException($"no time on {day}");
        var clock = Stopwatch.StartNew();
        var outcome = await ConfirmAsync(visitor, b.BaseUrl);
        Assert.Equal(ConfirmResult.Booked, outcome.Result);
        var id = (int)await studio.ScalarAsync<int>("SELECT id FROM bookings WHERE code = @code", ("code", outcome.Code!));
        async Task<TimeSpan> HeardAsync(EventStream stream)
        {
            while ((await stream.NextChangeAsync()).Booking != id) { }
            return clock.Elapsed;
        }
        var heard = await Task.WhenAll(HeardAsync(streamA), HeardAsync(streamB));
        return (heard[0], heard[1]);
    }

    /// <summary>Null ("any") one time in three, otherwise an index into what is offered.</summary>
    private static int? Maybe(Random pick) => pick.Next(3) == 0 ? null : pick.Next(100);

    private static async Task UntilAsync(Stopwatch clock, TimeSpan at)
    {
        if (at > clock.Elapsed) await Task.Delay(at - clock.Elapsed);
    }
}

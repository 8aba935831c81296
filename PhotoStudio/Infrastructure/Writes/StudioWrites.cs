using System.Collections.Frozen;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using PhotoStudio.Data;
using PhotoStudio.Infrastructure.Events;

namespace PhotoStudio.Infrastructure.Writes;

/// <summary>
/// What a write's work may ask of the transaction it runs in: board announcements, the row version the user saw,
/// what a named constraint means, and what to do once the change is committed.
/// </summary>
public sealed class WriteScope(StudioDb db)
{
    internal readonly List<(Func<int> BookingId, string Kind, DateTime At)> Announcements = [];
    internal readonly Dictionary<string, Func<Task<Outcome>>> Constraints = [];
    internal readonly List<Func<Task>> Committed = [];

    public StudioDb Db => db;

    /// <summary>A board event for this booking, written with the change (a new booking's id is read once it is saved).</summary>
    public void Announce(Data.Booking booking, string kind, DateTime at) => Announcements.Add((() => booking.Id, kind, at));

    public void Announce(int bookingId, string kind, DateTime at) => Announcements.Add((() => bookingId, kind, at));

    /// <summary>
    /// Saves the row only over the version the user saw (PostgreSQL's xmin): a save over someone else's becomes
    /// <see cref="Outcome.Stale"/>. <paramref name="touch"/> names a column written even when unchanged, so the version
    /// moves on when only the row's children changed.
    /// </summary>
    public void Expect(object entity, uint version, string? touch = null)
    {
        var entry = db.Entry(entity);
        entry.Property("Version").OriginalValue = version;
        // Marking one column modified makes an unchanged row Modified too, and only that column is written.
        if (touch is not null && entry.State is EntityState.Unchanged or EntityState.Modified) entry.Property(touch).IsModified = true;
    }

    /// <summary>What a violation of this named constraint means here (asked after the rollback, so it may read the database).</summary>
    public void OnViolation(string constraint, Func<Task<Outcome>> outcome) => Constraints[constraint] = outcome;

    public void OnViolation(string constraint, Outcome outcome) => Constraints[constraint] = () => Task.FromResult(outcome);

    /// <summary>Runs after the commit only (metrics, logs, audit of what Identity did): never for a change that rolled back.</summary>
    public void AfterCommit(Action action) => Committed.Add(() =>
    {
        action();
        return Task.CompletedTask;
    });

    public void AfterCommit(Func<Task> action) => Committed.Add(action);
}

/// <summary>
/// The one way state changes reach the database: a transaction around the work, the save, the board announcements,
/// the commit, and the database's refusals turned into outcomes. Exclusion (23P01), unique (23505), check (23514)
/// and foreign key (23503) violations and concurrency conflicts roll back, clear the change tracker and come back as
/// an <see cref="Outcome"/> with a message, never as an exception, so no write answers 500 for a race it lost.
/// </summary>
public class StudioWrites(StudioDb db, StudioChanges studio, ReportChanges reports, ILogger<StudioWrites> log)
{
    public const string Conflicting = "That clashes with something already saved. Please check and try again.";
    public const string NotAllowed = "These values are not allowed together. Please check them.";
    public const string InUse = "Something else refers to it now, so it cannot be changed that way.";

    /// <summary>The write running now on this context, if any: helpers that add to it (the outbox) ask it for after-commit work.</summary>
    public WriteScope? Current { get; private set; }

    /// <summary>
    /// Runs <paramref name="work"/> in a new transaction. When it returns <see cref="Outcome.Done"/>, pending changes are
    /// saved with their announcements and committed; any other outcome rolls everything back and is returned as it is.
    /// </summary>
    public async Task<Outcome> RunAsync(Func<WriteScope, Task<Outcome>> work, CancellationToken ct)
    {
        if (db.Database.CurrentTransaction is not null)
            throw new InvalidOperationException("A write runs in its own transaction; this one is already inside another.");
        var scope = new WriteScope(db);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        Current = scope;
        try
        {
            var outcome = await work(scope);
            if (outcome is not Outcome.Done)
            {
                await RollBackAsync(tx, ct);
                return outcome;
            }
            var isPublic = Changes(StudioChanges.Tables);
            var isReported = Changes(ReportChanges.Tables);
            await SaveAsync(scope, ct);
            await tx.CommitAsync(ct);
            // Every instance hears of it through the tables' triggers; this one need not wait for the notification.
            if (isPublic) studio.Changed();
            if (isReported) reports.Changed();
            foreach (var action in scope.Committed) await action();
            return outcome;
        }
        catch (DbUpdateConcurrencyException)
        {
            await RollBackAsync(tx, ct);
            return new Outcome.Stale();
        }
        catch (Exception e) when (Violation(e) is { } violation)
        {
            await RollBackAsync(tx, ct);
            log.LogInformation("A write was refused by {Constraint} ({SqlState})", violation.ConstraintName, violation.SqlState);
            if (violation.ConstraintName is { } name && scope.Constraints.TryGetValue(name, out var meaning)) return await meaning();
            return violation.SqlState switch
            {
                PostgresErrorCodes.ExclusionViolation => new Outcome.SlotTaken(),
                PostgresErrorCodes.UniqueViolation => Outcome.Field("", Conflicting),
                PostgresErrorCodes.CheckViolation => Outcome.Field("", NotAllowed),
                _ => Outcome.Because(InUse),
            };
        }
        finally
        {
            Current = null;
        }
    }

    /// <summary>Shorthand for work that needs no async step of its own before the save.</summary>
    public Task<Outcome> RunAsync(Func<WriteScope, Outcome> work, CancellationToken ct) =>
        RunAsync(scope => Task.FromResult(work(scope)), ct);

    /// <summary>
    /// One save for the change and its board events, then one statement that notifies the boards. Only a new booking
    /// whose id is not known yet (not taken from its sequence by the work) is saved first, so its event can name it.
    /// </summary>
    private async Task SaveAsync(WriteScope scope, CancellationToken ct)
    {
        if (db.ChangeTracker.Entries<Data.Booking>().Any(e => e.State == EntityState.Added && e.Property(b => b.Id).IsTemporary))
            await db.SaveChangesAsync(ct);
        var announced = scope.Announcements.Select(a => db.AddBoardEvent(a.BookingId(), a.Kind, a.At)).ToList();
        await db.SaveChangesAsync(ct);
        if (announced.Count > 0) await db.NotifyBoardAsync(announced, ct);
    }

    private bool Changes(FrozenSet<string> tables) =>
        db.ChangeTracker.Entries().Any(e => e.State is EntityState.Added or EntityState.Modified or EntityState.Deleted
            && e.Metadata.GetTableName() is { } table && tables.Contains(table));

    private async Task RollBackAsync(Microsoft.EntityFrameworkCore.Storage.IDbContextTransaction tx, CancellationToken ct)
    {
        await tx.RollbackAsync(ct);
        db.ChangeTracker.Clear();
    }

    /// <summary>The constraint violation behind an exception, from EF's save or from SQL the work ran itself.</summary>
    private static PostgresException? Violation(Exception e) =>
        (e as PostgresException ?? e.InnerException as PostgresException) is
        {
            SqlState: PostgresErrorCodes.ExclusionViolation or PostgresErrorCodes.UniqueViolation
                or PostgresErrorCodes.CheckViolation or PostgresErrorCodes.ForeignKeyViolation,
        } violation ? violation : null;
}

using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using PhotoStudio.Data;

namespace PhotoStudio.Infrastructure.Metrics;

/// <summary>
/// Counts booking status changes by the history rows that record them, once their transaction has committed: every
/// writer (the board, a client's manage link) adds such a row, so none can forget to count.
/// </summary>
/// <remarks>
/// Rows saved with their booking are not changes: its first status (a creation, counted by
/// <see cref="StudioMetrics.BookingCreated"/>) or a past written at once, like the demo studio's.
/// </remarks>
public sealed class StatusChangeCounter(StudioMetrics metrics) : SaveChangesInterceptor, IDbTransactionInterceptor
{
    private List<(BookingStatus From, BookingStatus To)> saving = [];
    private readonly List<(BookingStatus From, BookingStatus To)> uncommitted = [];

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        saving = [.. eventData.Context!.ChangeTracker.Entries<BookingStatusChange>()
            .Where(e => e.State == EntityState.Added && e.Entity.From is not null && !e.Property(c => c.BookingId).IsTemporary)
            .Select(e => (e.Entity.From!.Value, e.Entity.To))];
        return result;
    }

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData,
        InterceptionResult<int> result, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(SavingChanges(eventData, result));

    public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        uncommitted.AddRange(saving);
        saving = [];
        // Without a transaction of its own the save has committed already.
        if (eventData.Context!.Database.CurrentTransaction is null) Committed();
        return result;
    }

    public override ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result,
        CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(SavedChanges(eventData, result));

    public override void SaveChangesFailed(DbContextErrorEventData eventData) => saving = [];

    public override Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        SaveChangesFailed(eventData);
        return Task.CompletedTask;
    }

    void IDbTransactionInterceptor.TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => Committed();

    Task IDbTransactionInterceptor.TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData,
        CancellationToken cancellationToken)
    {
        Committed();
        return Task.CompletedTask;
    }

    void IDbTransactionInterceptor.TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => uncommitted.Clear();

    Task IDbTransactionInterceptor.TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData,
        CancellationToken cancellationToken)
    {
        uncommitted.Clear();
        return Task.CompletedTask;
    }

    private void Committed()
    {
        foreach (var (from, to) in uncommitted) metrics.StatusChanged(from, to);
        uncommitted.Clear();
    }
}

using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using PhotoStudio.Data;
using PhotoStudio.Infrastructure;
using PhotoStudio.Infrastructure.Writes;

namespace PhotoStudio.Features.Admin.Catalogue;

/// <summary>
/// The studio's catalogue (rooms and services) for the admin pages: tables, forms, and saves that never overwrite
/// someone else's change (the row version the user saw must still be the row's). Every save is audited by the interceptor.
/// A save that is done carries the row's name, for the flash.
/// </summary>
public class CatalogueService(StudioDb db, StudioWrites writes)
{
    public const string NameTaken = "There is already one called “{0}”. Choose another name.";
    public const string InUse = "Bookings refer to it, so it cannot be deleted. Deactivate it instead: it stays in their history.";

    /// <summary>"active", "inactive" or "all" (the default, also for anything else in the address).</summary>
    public static string ActiveFilter(TableState state) => state["active"] is "active" or "inactive" ? state["active"]! : "all";

    public async Task<CatalogueTable<RoomRow>> RoomsAsync(TableState state, CancellationToken ct)
    {
        var rows = await Filtered(db.Rooms, state)
            .SortBy(state, r => r.Id, ("name", r => r.Name), ("capacity", r => r.Capacity), ("rate", r => r.HourlyRate),
                ("buffers", r => r.BufferBeforeMinutes + r.BufferAfterMinutes), ("status", r => r.IsActive))
            .Select(r => new RoomRow(r.Id, r.Name, r.Capacity, r.HourlyRate, r.BufferBeforeMinutes, r.BufferAfterMinutes, r.Color, r.IsActive))
            .PageAsync(state, ct);
        return new CatalogueTable<RoomRow>(state, rows);
    }

    public async Task<CatalogueTable<ServiceRow>> ServicesAsync(TableState state, CancellationToken ct)
    {
        var rows = await Filtered(db.Services, state)
            .SortBy(state, s => s.Id, ("name", s => s.Name), ("duration", s => s.DurationMinutes), ("price", s => s.Price),
                ("rooms", s => s.Rooms.Count), ("status", s => s.IsActive))
            .Select(s => new ServiceRow(s.Id, s.Name, s.DurationMinutes, s.Price, s.NeedsPhotographer, s.Rooms.Count, s.IsActive))
            .PageAsync(state, ct);
        return new CatalogueTable<ServiceRow>(state, rows);
    }

    /// <summary>Search by name (any part, any case) and the active filter, the same for rooms and services.</summary>
    private static IQueryable<T> Filtered<T>(IQueryable<T> query, TableState state) where T : class
    {
        query = query.AsNoTracking();
        if (state.Q is { } q)
        {
            var pattern = Like.Containing(q);
            query = query.Where(x => EF.Functions.ILike(EF.Property<string>(x, nameof(Room.Name)), pattern));
        }
        return ActiveFilter(state) switch
        {
            "active" => query.Where(x => EF.Property<bool>(x, nameof(Room.IsActive))),
            "inactive" => query.Where(x => !EF.Property<bool>(x, nameof(Room.IsActive))),
            _ => query,
        };
    }

    public async Task<Editor<RoomForm>?> RoomEditorAsync(int id, CancellationToken ct)
    {
        var room = await db.Rooms.AsNoTracking().FirstOrDefaultAsync(r => r.Id == id, ct);
        if (room is null) return null;
        var form = new RoomForm
        {
            Version = room.Version, Name = room.Name, Description = room.Description, Capacity = room.Capacity,
            HourlyRate = room.HourlyRate, BufferBeforeMinutes = room.BufferBeforeMinutes,
            BufferAfterMinutes = room.BufferAfterMinutes, Color = room.Color,
        };
        return new Editor<RoomForm>(form, await StandingAsync(room.Id, room.IsActive, room.Version, b => b.RoomId == id, ct));
    }

    public async Task<Editor<ServiceForm>?> ServiceEditorAsync(int id, CancellationToken ct)
    {
        var service = await db.Services.AsNoTracking().Include(s => s.Rooms).Include(s => s.Employees)
            .AsSplitQuery().FirstOrDefaultAsync(s => s.Id == id, ct);
        if (service is null) return null;
        var form = new ServiceForm
        {
            Version = service.Version, Name = service.Name, Description = service.Description,
            DurationMinutes = service.DurationMinutes, Price = service.Price, NeedsPhotographer = service.NeedsPhotographer,
            RoomIds = service.Rooms.Select(r => r.RoomId).ToList(), EmployeeIds = service.Employees.Select(e => e.EmployeeId).ToList(),
        };
        var standing = await StandingAsync(service.Id, service.IsActive, service.Version, b => b.ServiceId == id, ct);
        return new Editor<ServiceForm>(form, standing, Choices: await ChoicesAsync(form, ct));
    }

    /// <summary>The service form with what the user typed: the standing of the service (null when new) and its checkboxes.</summary>
    public async Task<Editor<ServiceForm>?> ServiceEditorAsync(int? id, ServiceForm form, CancellationToken ct)
    {
        Standing? standing = null;
        if (id is { } existing && (standing = await StandingOfAsync(db.Services, existing, b => b.ServiceId == existing, ct)) is null) return null;
        return new Editor<ServiceForm>(form, standing, Choices: await ChoicesAsync(form, ct));
    }

    public async Task<Editor<RoomForm>?> RoomEditorAsync(int? id, RoomForm form, CancellationToken ct)
    {
        Standing? standing = null;
        if (id is { } existing && (standing = await StandingOfAsync(db.Rooms, existing, b => b.RoomId == existing, ct)) is null) return null;
        return new Editor<RoomForm>(form, standing);
    }

    /// <summary>Active rooms and employees, plus inactive ones the service still has (so they can be unticked).</summary>
    private async Task<ServiceChoices> ChoicesAsync(ServiceForm form, CancellationToken ct)
    {
        var rooms = await db.Rooms.AsNoTracking().Where(r => r.IsActive || form.RoomIds.Contains(r.Id))
            .OrderBy(r => r.Name).Select(r => new Choice(r.Id, r.Name, r.IsActive)).ToListAsync(ct);
        var employees = await db.Employees.AsNoTracking().Where(e => e.IsActive || form.EmployeeIds.Contains(e.Id))
            .OrderBy(e => e.FullName).Select(e => new Choice(e.Id, e.FullName, e.IsActive)).ToListAsync(ct);
        return new ServiceChoices(rooms, employees, await SlotStepAsync(ct));
    }

    private Task<int> SlotStepAsync(CancellationToken ct) => db.Settings.Select(s => s.SlotStepMinutes).SingleAsync(ct);

    private async Task<Standing> StandingAsync(int id, bool isActive, uint version, Expression<Func<Data.Booking, bool>> references,
        CancellationToken ct) =>
        new(id, isActive, await db.Bookings.CountAsync(references, ct), version);

    private async Task<Standing?> StandingOfAsync<T>(IQueryable<T> set, int id, Expression<Func<Data.Booking, bool>> references,
        CancellationToken ct) where T : class
    {
        var row = await set.AsNoTracking().Where(x => EF.Property<int>(x, nameof(Room.Id)) == id)
            .Select(x => new { IsActive = EF.Property<bool>(x, nameof(Room.IsActive)), Version = EF.Property<uint>(x, nameof(Room.Version)) })
            .FirstOrDefaultAsync(ct);
        return row is null ? null : await StandingAsync(id, row.IsActive, row.Version, references, ct);
    }

    public Task<Outcome> SaveRoomAsync(int? id, RoomForm form, bool valid, CancellationToken ct) => writes.RunAsync(async write =>
    {
        var room = id is { } existing ? await db.Rooms.FirstOrDefaultAsync(r => r.Id == existing, ct) : new Room { Name = "" };
        if (room is null) return Outcome.Missing;
        if (id is not null && room.Version != form.Version) return new Outcome.Stale();

        var (name, all) = await NameErrorsAsync(db.Rooms, room.Id, form, ct);
        if (all.Count > 0 || !valid) return new Outcome.Invalid(all);

        room.Name = name;
        room.Description = form.Description?.Trim() ?? "";
        room.Capacity = form.Capacity;
        room.HourlyRate = form.HourlyRate;
        room.BufferBeforeMinutes = form.BufferBeforeMinutes;
        room.BufferAfterMinutes = form.BufferAfterMinutes;
        room.Color = form.Color!.ToLowerInvariant();
        if (id is null) db.Rooms.Add(room);
        return Saving(write, room, id is null ? null : form.Version, "ix_rooms_name");
    }, ct);

    public Task<Outcome> SaveServiceAsync(int? id, ServiceForm form, bool valid, CancellationToken ct) => writes.RunAsync(async write =>
    {
        var service = id is { } existing
            ? await db.Services.Include(s => s.Rooms).Include(s => s.Employees).AsSplitQuery().FirstOrDefaultAsync(s => s.Id == existing, ct)
            : new Service { Name = "" };
        if (service is null) return Outcome.Missing;
        if (id is not null && service.Version != form.Version) return new Outcome.Stale();

        var (name, all) = await NameErrorsAsync(db.Services, service.Id, form, ct);
        var step = await SlotStepAsync(ct);
        if (form.DurationMinutes > 0 && form.DurationMinutes % step != 0)
            all.Add(new FieldError(nameof(form.DurationMinutes), "The duration must be a multiple of the studio's slot step ({0} minutes).", step));

        var rooms = await db.Rooms.Where(r => form.RoomIds.Contains(r.Id)).Select(r => new { r.Id, r.IsActive }).ToListAsync(ct);
        if (!rooms.Any(r => r.IsActive))
            all.Add(new FieldError(nameof(form.RoomIds), "Choose at least one active room."));
        // A service without a photographer has no one to assign; a stale choice is cleared rather than kept unseen.
        var employees = form.NeedsPhotographer
            ? await db.Employees.Where(e => form.EmployeeIds.Contains(e.Id)).Select(e => new { e.Id, e.IsActive }).ToListAsync(ct)
            : [];
        if (form.NeedsPhotographer && !employees.Any(e => e.IsActive))
            all.Add(new FieldError(nameof(form.EmployeeIds), "Choose at least one active photographer, or untick “Needs a photographer”."));
        if (all.Count > 0 || !valid) return new Outcome.Invalid(all);

        service.Name = name;
        service.Description = form.Description?.Trim() ?? "";
        service.DurationMinutes = form.DurationMinutes;
        service.Price = form.Price;
        service.NeedsPhotographer = form.NeedsPhotographer;
        var roomIds = rooms.Select(r => r.Id).ToHashSet();
        service.Rooms.RemoveAll(r => !roomIds.Contains(r.RoomId));
        service.Rooms.AddRange(roomIds.Except(service.Rooms.Select(r => r.RoomId)).Select(r => new ServiceRoom { RoomId = r }));
        var employeeIds = employees.Select(e => e.Id).ToHashSet();
        service.Employees.RemoveAll(e => !employeeIds.Contains(e.EmployeeId));
        service.Employees.AddRange(employeeIds.Except(service.Employees.Select(e => e.EmployeeId)).Select(e => new ServiceEmployee { EmployeeId = e }));
        if (id is null) db.Services.Add(service);
        return Saving(write, service, id is null ? null : form.Version, "ix_services_name");
    }, ct);

    /// <summary>The trimmed name, and an error when another row of the same kind has it in any case (the unique index is case-sensitive).</summary>
    private static async Task<(string Name, List<FieldError> Errors)> NameErrorsAsync<T>(IQueryable<T> set, int id, CatalogueForm form,
        CancellationToken ct) where T : class
    {
        var name = form.Name?.Trim() ?? "";
        var lower = name.ToLower();
        var taken = name.Length > 0 && await set.AnyAsync(x => EF.Property<int>(x, nameof(Room.Id)) != id
            && EF.Property<string>(x, nameof(Room.Name)).ToLower() == lower, ct);
        return (name, taken ? [new FieldError(nameof(form.Name), NameTaken, name)] : []);
    }

    /// <summary>Deactivates or reactivates a room or service (inactive ones vanish from the public wizard).</summary>
    public Task<Outcome> SetActiveAsync<T>(int id, uint version, bool active, CancellationToken ct) where T : class =>
        writes.RunAsync(async write =>
        {
            if (await db.Set<T>().FindAsync([id], ct) is not { } entity) return Outcome.Missing;
            db.Entry(entity).Property(nameof(Room.IsActive)).CurrentValue = active;
            return Saving(write, entity, version);
        }, ct);

    /// <summary>Deletes a room or service that no booking references; a referenced one can only be deactivated.</summary>
    /// <param name="bookingsKey">The bookings' foreign key to it: a booking that arrives before the delete commits refuses it too.</param>
    public Task<Outcome> DeleteAsync<T>(int id, uint version, Expression<Func<Data.Booking, bool>> references, string bookingsKey,
        CancellationToken ct) where T : class =>
        writes.RunAsync(async write =>
        {
            if (await db.Set<T>().FindAsync([id], ct) is not { } entity) return Outcome.Missing;
            if (!Equals(db.Entry(entity).Property(nameof(Room.Version)).CurrentValue, version)) return new Outcome.Stale();
            if (await db.Bookings.AnyAsync(references, ct)) return Outcome.Because(InUse);
            db.Entry(entity).State = EntityState.Deleted;
            write.OnViolation(bookingsKey, Outcome.Because(InUse));
            return Saving(write, entity, version);
        }, ct);

    /// <summary>
    /// Saves over the row version the user saw only (someone else's save makes it stale); the name is always written,
    /// so a service whose only change is its rooms still gets a new version. Another row taking the name between the
    /// check and the save is a field error on the name, as the check would have said.
    /// </summary>
    private static Outcome Saving(WriteScope write, object entity, uint? version, string? nameIndex = null)
    {
        var entry = write.Db.Entry(entity);
        var name = (string)entry.Property(nameof(Room.Name)).CurrentValue!;
        if (version is { } seen) write.Expect(entity, seen, touch: entry.State == EntityState.Deleted ? null : nameof(Room.Name));
        if (nameIndex is not null) write.OnViolation(nameIndex, Outcome.Field(nameof(CatalogueForm.Name), NameTaken, name));
        return Outcome.With(name);
    }
}

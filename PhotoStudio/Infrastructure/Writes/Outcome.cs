namespace PhotoStudio.Infrastructure.Writes;

/// <summary>A message as a localization key with its arguments: services decide what to say, controllers say it.</summary>
/// <remarks>Compared by key and arguments, so a test can expect exactly the message a service chose.</remarks>
public record Text(string Key, params object[] Args)
{
    public virtual bool Equals(Text? other) =>
        other is not null && other.GetType() == GetType() && Key == other.Key && Args.SequenceEqual(other.Args);

    public override int GetHashCode() => Args.Aggregate(Key.GetHashCode(), HashCode.Combine);
}

/// <summary>A message that belongs next to one field of the form ("" for the form as a whole).</summary>
public record FieldError(string Field, string Key, params object[] Args) : Text(Key, Args)
{
    public virtual bool Equals(FieldError? other) => base.Equals(other) && Field == other!.Field;

    public override int GetHashCode() => HashCode.Combine(base.GetHashCode(), Field);
}

/// <summary>
/// What a state change came to. Every write returns one of these, never throws for a conflict the database settles,
/// and the controller turns it into the answer (<see cref="Answers"/>): done, not found, invalid with field errors,
/// stale (someone else saved first), slot taken (an exclusion constraint said no) or refused with a reason.
/// </summary>
public abstract record Outcome
{
    private Outcome() { }

    /// <summary>The change is committed. <see cref="Done{T}"/> carries what the caller needs next (an id, a code).</summary>
    public record Done : Outcome;

    public sealed record Done<T>(T Value) : Done;

    public sealed record NotFound : Outcome;

    /// <summary>The input breaks a rule: the form comes back with these messages next to its fields.</summary>
    public sealed record Invalid(IReadOnlyList<FieldError> Errors) : Outcome
    {
        public Invalid(params FieldError[] errors) : this((IReadOnlyList<FieldError>)errors) { }

        public bool Equals(Invalid? other) => other is not null && Errors.SequenceEqual(other.Errors);

        public override int GetHashCode() => Errors.Aggregate(0, (h, e) => HashCode.Combine(h, e));
    }

    /// <summary>Someone changed the row after this user loaded it; nothing was overwritten.</summary>
    /// <param name="Message">What changed, when there is more to say than "someone else was quicker".</param>
    /// <param name="Errors">Fields the current state no longer accepts (the form comes back with them marked).</param>
    public sealed record Stale(Text? Message = null, IReadOnlyList<FieldError>? Errors = null) : Outcome
    {
        public bool Equals(Stale? other) =>
            other is not null && Equals(Message, other.Message) && (Errors ?? []).SequenceEqual(other.Errors ?? []);

        public override int GetHashCode() => HashCode.Combine(Message, Errors?.Count);
    }

    /// <summary>Another booking holds the room or photographer at that time (the exclusion constraints, or a fresh check).</summary>
    public sealed record SlotTaken(Text? Message = null) : Outcome;

    /// <summary>The change is not allowed as asked; <paramref name="Forbidden"/> when it is this user who may not make it.</summary>
    public sealed record Refused(Text Reason, bool Forbidden = false) : Outcome;

    public static Done Ok { get; } = new();
    public static Done<T> With<T>(T value) => new(value);
    public static NotFound Missing { get; } = new();
    public static Invalid Field(string field, string key, params object[] args) => new(new FieldError(field, key, args));
    public static Refused Because(string key, params object[] args) => new(new Text(key, args));
    public static Refused Forbid(string key, params object[] args) => new(new Text(key, args), Forbidden: true);
}

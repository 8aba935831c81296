using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Localization;
using PhotoStudio.Data;
using PhotoStudio.Features.Shared;

namespace PhotoStudio.Features.Account;

/// <summary>
/// Refuses passwords that a guesser tries first: those on the shipped common-password list
/// (<c>common-passwords.txt</c>, from Openwall's John the Ripper list), the same with digits or symbols
/// tacked on, one character or short pattern repeated, or the account's own email name.
/// </summary>
public sealed class CommonPasswordValidator(IStringLocalizer<SharedResource> T) : IPasswordValidator<StudioUser>
{
    private static readonly Lazy<HashSet<string>> Common = new(Load);

    public Task<IdentityResult> ValidateAsync(UserManager<StudioUser> manager, StudioUser user, string? password)
    {
        if (string.IsNullOrEmpty(password)) return Task.FromResult(IdentityResult.Success);
        return Task.FromResult(IsWeak(password, user.Email)
            ? IdentityResult.Failed(new IdentityError
            {
                Code = "CommonPassword",
                Description = T["This password is too easy to guess. Use a longer phrase of unrelated words."],
            })
            : IdentityResult.Success);
    }

    public static bool IsWeak(string password, string? email)
    {
        var lower = password.ToLowerInvariant();
        if (Common.Value.Contains(lower)) return true;

        var stem = lower.TrimEnd("0123456789!@#$%^&*()-_=+.,?~ ".ToCharArray());
        if (stem.Length >= 4 && Common.Value.Contains(stem)) return true;

        for (var size = 1; size <= lower.Length / 2; size++)
            if (lower.Length % size == 0 && lower == string.Concat(Enumerable.Repeat(lower[..size], lower.Length / size)))
                return true;

        var name = email?.Split('@')[0].ToLowerInvariant();
        return name is { Length: >= 3 } && lower.Contains(name);
    }

    private static HashSet<string> Load()
    {
        using var stream = typeof(CommonPasswordValidator).Assembly.GetManifestResourceStream("PhotoStudio.common-passwords.txt")
            ?? throw new InvalidOperationException("common-passwords.txt is not embedded");
        using var reader = new StreamReader(stream);
        var set = new HashSet<string>(StringComparer.Ordinal);
        while (reader.ReadLine() is { } line)
            if (line.Length > 0 && !line.StartsWith('#')) set.Add(line.ToLowerInvariant());
        return set;
    }
}

using System.ComponentModel.DataAnnotations;
using System.Runtime.InteropServices;
using System.Text;
using OutlookFollowUp.Engine;

namespace OutlookFollowUp.Api.Spelling;

/// <summary>Where the Hunspell dictionary lives (Debian's hunspell-en-us by default).</summary>
public sealed class SpellingOptions
{
    public const string Section = "Spelling";

    /// <summary>The .aff file of the dictionary.</summary>
    [Required] public string AffixPath { get; set; } = "/usr/share/hunspell/en_US.aff";

    /// <summary>The .dic file of the dictionary.</summary>
    [Required] public string DictionaryPath { get; set; } = "/usr/share/hunspell/en_US.dic";
}

/// <summary>
/// The real Hunspell library (libhunspell-1.7) with a real dictionary. One handle, used under a lock: Hunspell is not
/// thread-safe.
/// </summary>
public sealed partial class HunspellSpellChecker : ISpellChecker, IDisposable
{
    private const string Library = "libhunspell-1.7.so.0";
    private readonly Lock _gate = new();
    private IntPtr _handle;

    private HunspellSpellChecker(IntPtr handle) => _handle = handle;

    /// <summary>Opens the dictionary, or returns null with the reason when the library or the files are missing.</summary>
    public static HunspellSpellChecker? TryOpen(SpellingOptions options, out string? why)
    {
        why = null;
        if (!File.Exists(options.AffixPath) || !File.Exists(options.DictionaryPath))
        {
            why = $"no Hunspell dictionary at {options.DictionaryPath} (install hunspell-en-us)";
            return null;
        }
        try
        {
            var handle = Create(options.AffixPath, options.DictionaryPath);
            if (handle != IntPtr.Zero) return new HunspellSpellChecker(handle);
            why = "Hunspell could not open the dictionary";
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            why = $"{Library} is not installed (install libhunspell-1.7-0)";
        }
        return null;
    }

    public bool IsKnown(string word)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_handle == IntPtr.Zero, this);
            return Spell(_handle, word) != 0;
        }
    }

    public IReadOnlyList<string> Suggest(string word)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_handle == IntPtr.Zero, this);
            var count = SuggestRaw(_handle, out var list, word);
            if (count <= 0 || list == IntPtr.Zero) return [];
            try
            {
                var result = new List<string>(count);
                for (var i = 0; i < count; i++)
                    result.Add(Marshal.PtrToStringUTF8(Marshal.ReadIntPtr(list, i * IntPtr.Size)) ?? "");
                return result;
            }
            finally
            {
                FreeList(_handle, ref list, count);
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_handle == IntPtr.Zero) return;
            Destroy(_handle);
            _handle = IntPtr.Zero;
        }
    }

    [LibraryImport(Library, EntryPoint = "Hunspell_create", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr Create(string affPath, string dicPath);

    [LibraryImport(Library, EntryPoint = "Hunspell_destroy")]
    private static partial void Destroy(IntPtr handle);

    [LibraryImport(Library, EntryPoint = "Hunspell_spell", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Spell(IntPtr handle, string word);

    [LibraryImport(Library, EntryPoint = "Hunspell_suggest", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SuggestRaw(IntPtr handle, out IntPtr list, string word);

    [LibraryImport(Library, EntryPoint = "Hunspell_free_list")]
    private static partial void FreeList(IntPtr handle, ref IntPtr list, int count);
}

/// "Did you mean ...?" for misspelt keys, designs and metric paths.
enum Suggestions {
    /// The candidate closest to `word`, when it is close enough to be a plausible typo.
    ///
    /// A candidate that differs only in case, `_`, `-` or spaces always matches (`burst_per_hour`,
    /// `Heartbeat`). Otherwise the case-insensitive edit distance must be at most 1 for words up to 4
    /// characters, 2 up to 8, and 3 beyond; the nearest wins, ties go to the earlier candidate. Failing
    /// that, a word of 4 or more characters that starts a candidate, or that a candidate of 4 or more
    /// characters starts, matches it (`socketio` → `socketio-redis`, `suspend` → `suspendAfter`).
    /// Candidates in `excluded` (keys the object already has) are never suggested.
    static func closest(to word: String, among candidates: [String], excluding excluded: Set<String> = []) -> String? {
        let candidates = candidates.filter { !excluded.contains($0) }
        let normalizedWord = normalize(word)
        if let exact = candidates.first(where: { normalize($0) == normalizedWord }) { return exact }
        let allowed = word.count <= 4 ? 1 : word.count <= 8 ? 2 : 3
        var best: (candidate: String, distance: Int)? = nil
        for candidate in candidates {
            let distance = editDistance(word.lowercased(), candidate.lowercased(), limit: allowed)
            if distance <= allowed, distance < (best?.distance ?? .max) { best = (candidate, distance) }
        }
        if let best { return best.candidate }
        guard normalizedWord.count >= 4 else { return nil }
        return candidates.first {
            let candidate = normalize($0)
            return candidate.hasPrefix(normalizedWord) || (candidate.count >= 4 && normalizedWord.hasPrefix(candidate))
        }
    }

    static func normalize(_ word: String) -> String {
        String(word.lowercased().filter { $0 != "_" && $0 != "-" && $0 != " " })
    }

    /// Levenshtein distance, giving up (returning `limit + 1`) once it must exceed `limit`.
    static func editDistance(_ first: String, _ second: String, limit: Int) -> Int {
        let a = Array(first.unicodeScalars)
        let b = Array(second.unicodeScalars)
        if abs(a.count - b.count) > limit { return limit + 1 }
        if a.isEmpty || b.isEmpty { return max(a.count, b.count) }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            var rowMinimum = current[0]
            for j in 1...b.count {
                let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
                rowMinimum = min(rowMinimum, current[j])
            }
            if rowMinimum > limit { return limit + 1 }
            swap(&previous, &current)
        }
        return previous[b.count]
    }

    /// `"a"`, `"a" or "b"`, `"a", "b" or "c"`.
    static func quotedList(_ words: [String], conjunction: String = "or") -> String {
        let quoted = words.map { "\"\($0)\"" }
        guard quoted.count > 1 else { return quoted.first ?? "" }
        return quoted.dropLast().joined(separator: ", ") + " \(conjunction) " + quoted[quoted.count - 1]
    }
}

package io.castai.events.channels;

/** How far apart two names are, to offer the one meant for a near miss (a setting's, an event type's). */
public final class EditDistance {
    private EditDistance() {
    }

    /**
     * Edits from a to b (insert, delete, substitute, swap two neighbours), or {@code limit} once
     * it is certain to be at least that: most names are far from each other.
     */
    public static int between(String a, String b, int limit) {
        if (Math.abs(a.length() - b.length()) >= limit) {
            return limit;
        }
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            int rowLeast = Integer.MAX_VALUE;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
                rowLeast = Math.min(rowLeast, d[i][j]);
            }
            if (rowLeast >= limit) {
                return limit;
            }
        }
        return Math.min(d[a.length()][b.length()], limit);
    }
}

package io.castai.events.channels;

import java.io.IOException;
import java.io.Writer;

/** A template's output, refused once it grows past a length (so a runaway template cannot fill the heap). */
final class BoundedText extends Writer {
    /** The output went past its bound; what was written so far is dropped. */
    static final class TooLong extends IOException {
        TooLong(int maxChars) {
            super("longer than " + maxChars + " characters");
        }
    }

    private final StringBuilder text = new StringBuilder();
    private final int maxChars;

    BoundedText(int maxChars) {
        this.maxChars = maxChars;
    }

    @Override
    public void write(char[] chars, int offset, int length) throws IOException {
        makeRoom(length);
        text.append(chars, offset, length);
    }

    @Override
    public void write(String string, int offset, int length) throws IOException {
        makeRoom(length);
        text.append(string, offset, offset + length);
    }

    private void makeRoom(int length) throws TooLong {
        if (text.length() + length > maxChars) {
            text.setLength(0);
            text.trimToSize();
            throw new TooLong(maxChars);
        }
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
    }

    @Override
    public String toString() {
        return text.toString();
    }
}

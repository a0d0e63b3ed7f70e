package io.hearth.file;

import io.hearth.spi.CounterCell;

/** A counter slot's value in the mapped store file: each operation one atomic instruction. */
final class FileCounter implements CounterCell {
    private final MappedFile file;
    private final int offset;

    FileCounter(MappedFile file, int valueOffset) {
        this.file = file;
        this.offset = valueOffset;
    }

    @Override
    public long get() {
        return file.getLongVolatile(offset);
    }

    @Override
    public void set(long value) {
        file.setLongVolatile(offset, value);
    }

    @Override
    public long getAndAdd(long delta) {
        return file.getAndAddLong(offset, delta);
    }

    @Override
    public boolean compareAndSet(long expected, long update) {
        return file.compareAndSetLong(offset, expected, update);
    }
}

package io.hearth.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ImmutableTypesTest {
    enum Colour { RED, GREEN }

    record Point(int x, int y) {
    }

    record Profile(String id, String name, long visits, Colour colour, Point at, BigDecimal balance, UUID token) {
    }

    record Tree(String label, Tree left, Tree right) {
    }

    record WithList(String id, List<String> tags) {
    }

    record WithArray(int[] values) {
    }

    record Box<T>(T value) {
    }

    record WithObject(Object anything) {
    }

    record HoldsMutable(String id, Mutable inner) {
    }

    static final class Mutable {
        public int n;
    }

    record Renamed(@JsonProperty("full_name") String name) {
    }

    record ExtraGetter(String id) {
        public String getUpper() {
            return id.toUpperCase();
        }
    }

    record HoldsRenamed(Renamed inner) {
    }

    @Test
    void stringsBoxedNumbersJsonBytesEnumsAndRecordsOfThemAreImmutable() {
        for (Class<?> type : List.of(String.class, Long.class, Integer.class, Double.class, Boolean.class, BigDecimal.class,
                UUID.class, Instant.class, io.hearth.JsonBytes.class, Colour.class, Point.class, Profile.class, Tree.class)) {
            assertThat(ImmutableTypes.isImmutable(type)).as("%s", type).isTrue();
        }
    }

    @Test
    void collectionsArraysJsonTreesClassesWithFieldsAndRecordsHoldingAnyOfThemAreNot() {
        for (Class<?> type : List.of(JsonNode.class, Map.class, List.class, Object.class, int[].class, String[].class,
                Mutable.class, WithList.class, WithArray.class, Box.class, WithObject.class, HoldsMutable.class)) {
            assertThat(ImmutableTypes.isImmutable(type)).as("%s", type).isFalse();
        }
    }

    @Test
    void aRecordIsPlainOnlyWhenNoJacksonAnnotationOrExtraGetterChangesHowItsJsonReadsBack() {
        assertThat(ImmutableTypes.isPlain(Profile.class)).isTrue();
        assertThat(ImmutableTypes.isPlain(Tree.class)).isTrue();
        assertThat(ImmutableTypes.isPlain(String.class)).isTrue();
        assertThat(ImmutableTypes.isImmutable(Renamed.class)).isTrue();
        assertThat(ImmutableTypes.isPlain(Renamed.class)).isFalse();
        assertThat(ImmutableTypes.isPlain(HoldsRenamed.class)).isFalse();
        assertThat(ImmutableTypes.isPlain(ExtraGetter.class)).isFalse();
        assertThat(ImmutableTypes.isPlain(WithList.class)).as("not immutable, so not plain").isFalse();
    }
}

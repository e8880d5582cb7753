"""Live classroom mode: a teacher-paced quiz on the projector, students on their phones."""

// Placeholder; replaced by the database setup.
export default function setup() {}

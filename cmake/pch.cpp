// Owner of the precompiled Qt headers shared by the project targets.

"""民生实事项目: the approved projects' register, from plan to satisfaction rating."""
